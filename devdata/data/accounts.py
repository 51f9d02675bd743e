"""The demo logins (shared context of the project; password the same for all)."""

from __future__ import annotations

import datetime as dt

DEMO_PASSWORD = "Lotse-Demo-2026"  # noqa: S105 - documented demo password, printed by seed_demo

STAFF_GROUP = "Kassen-Sachbearbeitung"
ANALYST_GROUP = "Kassen-Analyse"

# Insured persons; "username" None means no account (a child represented by a parent).
INSURED: list[dict] = [
    {"username": "anna", "kvnr": "A123456780", "first_name": "Anna", "last_name": "Adler",
     "birth_date": dt.date(1985, 4, 12), "street": "Sägerstraße 7", "postal_code": "77716",
     "city": "Haslach im Kinzigtal", "gemeinde": "08317040", "fund": "aok-bw"},
    {"username": "paul", "kvnr": "B234567895", "first_name": "Paul", "last_name": "Becker",
     "birth_date": dt.date(1980, 9, 3), "street": "Wilsdruffer Straße 21", "postal_code": "01067",
     "city": "Dresden", "gemeinde": "14612000", "fund": "aok-plus"},
    # children of Paul: the KVNR digits are chosen here, the check digit is computed
    {"username": None, "kvnr_digits": ("B", "23456790"), "first_name": "Mia", "last_name": "Becker",
     "birth_date": dt.date(2016, 6, 1), "street": "Wilsdruffer Straße 21", "postal_code": "01067",
     "city": "Dresden", "gemeinde": "14612000", "fund": "aok-plus", "represented_by": "paul"},
    {"username": None, "kvnr_digits": ("B", "23456791"), "first_name": "Leon", "last_name": "Becker",
     "birth_date": dt.date(2010, 2, 15), "street": "Wilsdruffer Straße 21", "postal_code": "01067",
     "city": "Dresden", "gemeinde": "14612000", "fund": "aok-plus", "represented_by": "paul"},
]  # fmt: skip

STAFF: list[dict] = [
    {"username": "sachbearbeitung.bw", "first_name": "Sabine", "last_name": "Brenner", "fund": "aok-bw", "role": "staff"},
    {"username": "sachbearbeitung.plus", "first_name": "Stefan", "last_name": "Pohl", "fund": "aok-plus", "role": "staff"},
    {"username": "analyse.plus", "first_name": "Andrea", "last_name": "Lindner", "fund": "aok-plus", "role": "analyst"},
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
    ("analyse.plus", "Analyse AOK PLUS", "Transparenzbericht unter /berichte/ ansehen und exportieren"),
    ("admin", "Administration (Superuser)", "alles unter /verwaltung/"),
]  # fmt: skip
