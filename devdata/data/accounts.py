"""The demo logins (shared context of the project; password the same for all)."""

from __future__ import annotations

import datetime as dt

from programs.validators import kvnr_with_check_digit

DEMO_PASSWORD = "Lotse-Demo-2026"  # noqa: S105 - documented demo password, printed by seed_demo


# The one list of demo insured persons. "username" None means no account: a child represented by
# a parent ("represented_by"), or a person who registers with an activation code. `seed_demo`
# (devdata.catalogue.seed_accounts) keeps the account holders and the represented children in line
# with this list; persons with "activation_code" get a fresh code on every run while they have no
# account (devdata.accounts), and those with neither login nor representative are created there
# once, when missing, and then left alone (they may register and change their data).
INSURED: list[dict] = [
    {"username": "anna", "kvnr": "A123456780", "first_name": "Anna", "last_name": "Adler",
     "birth_date": dt.date(1985, 4, 12), "street": "Sägerstraße 7", "postal_code": "77716",
     "city": "Haslach im Kinzigtal", "gemeinde": "08317040", "fund": "aok-bw"},
    {"username": "paul", "kvnr": "B234567895", "first_name": "Paul", "last_name": "Becker",
     "birth_date": dt.date(1980, 9, 3), "street": "Wilsdruffer Straße 21", "postal_code": "01067",
     "city": "Dresden", "gemeinde": "14612000", "fund": "aok-plus"},
    # register themselves with the printed activation code
    {"username": None, "kvnr": "Z987654321", "first_name": "Clara", "last_name": "Schmidt",
     "birth_date": dt.date(1992, 11, 30), "street": "Königstraße 12", "postal_code": "70173",
     "city": "Stuttgart", "gemeinde": "08111000", "fund": "aok-bw", "activation_code": True},
    {"username": None, "kvnr": "W456789126", "first_name": "Jonas", "last_name": "Wagner",
     "birth_date": dt.date(1978, 3, 21), "street": "Karl-Liebknecht-Straße 8", "postal_code": "04107",
     "city": "Leipzig", "gemeinde": "14713000", "fund": "aok-plus", "activation_code": True},
    # children of Paul: the KVNR digits are chosen here, the check digit is computed
    {"username": None, "kvnr_digits": ("B", "23456790"), "first_name": "Mia", "last_name": "Becker",
     "birth_date": dt.date(2016, 6, 1), "street": "Wilsdruffer Straße 21", "postal_code": "01067",
     "city": "Dresden", "gemeinde": "14612000", "fund": "aok-plus", "represented_by": "paul"},
    {"username": None, "kvnr_digits": ("B", "23456791"), "first_name": "Leon", "last_name": "Becker",
     "birth_date": dt.date(2010, 2, 15), "street": "Wilsdruffer Straße 21", "postal_code": "01067",
     "city": "Dresden", "gemeinde": "14612000", "fund": "aok-plus", "represented_by": "paul",
     "activation_code": True},  # 15+: may register himself
]  # fmt: skip


def kvnr(person: dict) -> str:
    """The person's KVNR: given, or its check digit computed from the chosen digits."""
    return person.get("kvnr") or kvnr_with_check_digit(*person["kvnr_digits"])


def kept_by_seed_accounts(person: dict) -> bool:
    """An account holder or a child represented by one (see the list above)."""
    return bool(person["username"] or person.get("represented_by"))


# Back-office accounts; "roles" are the groups of backoffice.roles (docs/roles.md); "fund" None:
# the platform operator, who belongs to no fund.
STAFF: list[dict] = [
    {"username": "sachbearbeitung.bw", "first_name": "Sabine", "last_name": "Brenner", "fund": "aok-bw", "role": "staff", "roles": ["Kassen-Sachbearbeitung"]},
    {"username": "sachbearbeitung.plus", "first_name": "Stefan", "last_name": "Pohl", "fund": "aok-plus", "role": "staff", "roles": ["Kassen-Sachbearbeitung"]},
    {"username": "vertrag.bw", "first_name": "Veronika", "last_name": "Vogt", "fund": "aok-bw", "role": "staff", "roles": ["Vertragsmanagement"]},
    {"username": "analyse.plus", "first_name": "Andrea", "last_name": "Lindner", "fund": "aok-plus", "role": "analyst", "roles": ["Kassen-Analyse"]},
    {"username": "kassenadmin.bw", "first_name": "Karl", "last_name": "Kramer", "fund": "aok-bw", "role": "staff", "roles": ["Kassen-Administration"]},
    {"username": "betrieb", "first_name": "Bea", "last_name": "Betz", "fund": None, "role": None, "roles": ["Betrieb"]},
]  # fmt: skip

ADMIN = {"username": "admin", "first_name": "Demo", "last_name": "Administration"}

# What the login list at the end of seed_demo says (German, like the product).
LOGINS: list[tuple[str, str, str]] = [
    ("anna", "Versicherte, AOK Baden-Württemberg (77716 Haslach)",
     "Programme für 77716 suchen (Gesundes Kinzigtal, Hausarztprogramm), Teilnahme erklären und widerrufen"),
    ("paul", "Versicherter, AOK PLUS (01067 Dresden), vertritt Mia (10) und Leon (16)",
     "Kopfschmerz-Programm für Mia erklären; Leon kann ab 15 selbst erklären"),
    ("sachbearbeitung.bw", "Sachbearbeitung AOK Baden-Württemberg",
     "Verwaltung unter /verwaltung/: Verträge, Leistungserbringer und Teilnahmen der AOK BW"),
    ("sachbearbeitung.plus", "Sachbearbeitung AOK PLUS", "wie oben, nur Daten der AOK PLUS"),
    ("vertrag.bw", "Vertragsmanagement AOK Baden-Württemberg",
     "Programme, Verträge und Vertragsteilnahmen der Leistungserbringer der AOK BW"),
    ("analyse.plus", "Analyse AOK PLUS", "Transparenzbericht unter /berichte/ ansehen und exportieren"),
    ("kassenadmin.bw", "Kassen-Administration AOK Baden-Württemberg",
     "Konten und Rollen der Mitarbeitenden der AOK BW, Zugriffsprotokoll"),
    ("betrieb", "Betrieb der Plattform (keine Kasse)", "Kassen, Programmkatalog, Stammdaten der Leistungserbringer"),
    ("admin", "Administration (Superuser)", "alles unter /verwaltung/"),
]  # fmt: skip
