"""Reference data: the 16 Länder and the 11 AOKs with the regions they serve (DOMAIN.md §5).

`programs.services.ensure_aoks()` turns these constants into Land, Regierungsbezirk, Fund and
FundRegion rows; `seed_demo` and the test fixtures call it, and `import_regions` loads the
Länder from `LAENDER` too, so the codes never drift apart.
"""

from __future__ import annotations

from typing import TypedDict

from django.utils.translation import gettext, gettext_noop


class LandData(TypedDict):
    code: str  # subdivision code of the `holidays` package
    ags: str  # Landesschlüssel
    name: str


class AokData(TypedDict):
    name: str
    short_name: str
    slug: str
    ik: str
    seat: str
    seat_land: str
    website: str
    postal_address: str  # head office; staff may correct it in the admin
    lands: list[str]  # served as a whole
    regierungsbezirke: list[str]  # served by Regierungsbezirk (only NRW is split)


LAENDER: list[LandData] = [
    {"code": "SH", "ags": "01", "name": gettext_noop("Schleswig-Holstein")},
    {"code": "HH", "ags": "02", "name": gettext_noop("Hamburg")},
    {"code": "NI", "ags": "03", "name": gettext_noop("Niedersachsen")},
    {"code": "HB", "ags": "04", "name": gettext_noop("Bremen")},
    {"code": "NW", "ags": "05", "name": gettext_noop("Nordrhein-Westfalen")},
    {"code": "HE", "ags": "06", "name": gettext_noop("Hessen")},
    {"code": "RP", "ags": "07", "name": gettext_noop("Rheinland-Pfalz")},
    {"code": "BW", "ags": "08", "name": gettext_noop("Baden-Württemberg")},
    {"code": "BY", "ags": "09", "name": gettext_noop("Bayern")},
    {"code": "SL", "ags": "10", "name": gettext_noop("Saarland")},
    {"code": "BE", "ags": "11", "name": gettext_noop("Berlin")},
    {"code": "BB", "ags": "12", "name": gettext_noop("Brandenburg")},
    {"code": "MV", "ags": "13", "name": gettext_noop("Mecklenburg-Vorpommern")},
    {"code": "SN", "ags": "14", "name": gettext_noop("Sachsen")},
    {"code": "ST", "ags": "15", "name": gettext_noop("Sachsen-Anhalt")},
    {"code": "TH", "ags": "16", "name": gettext_noop("Thüringen")},
]

LAND_CODE_BY_AGS: dict[str, str] = {land["ags"]: land["code"] for land in LAENDER}
_LAND_NAME_BY_CODE: dict[str, str] = {land["code"]: land["name"] for land in LAENDER}


def land_name(code: str) -> str:
    """The Land's name in the active language (German names are the msgids)."""
    name = _LAND_NAME_BY_CODE.get(code)
    return gettext(name) if name else code


# Only these are needed to split NRW between two AOKs; import_regions loads all
# Regierungsbezirke (with the official names) from the Gemeindeverzeichnis.
NRW_REGIERUNGSBEZIRKE: dict[str, str] = {
    "051": "Reg.-Bez. Düsseldorf",
    "053": "Reg.-Bez. Köln",
    "055": "Reg.-Bez. Münster",
    "057": "Reg.-Bez. Detmold",
    "059": "Reg.-Bez. Arnsberg",
}

AOKS: list[AokData] = [
    {
        "name": "AOK Baden-Württemberg",
        "short_name": "AOK BW",
        "slug": "aok-bw",
        "ik": "108018007",
        "seat": "Stuttgart",
        "seat_land": "BW",
        "website": "https://www.aok.de/pk/bw/",
        "postal_address": "Presselstraße 19, 70191 Stuttgart",
        "lands": ["BW"],
        "regierungsbezirke": [],
    },
    {
        "name": "AOK Bayern",
        "short_name": "AOK Bayern",
        "slug": "aok-bayern",
        "ik": "108310400",
        "seat": "München",
        "seat_land": "BY",
        "website": "https://www.aok.de/pk/bayern/",
        "postal_address": "Carl-Wery-Straße 28, 81739 München",
        "lands": ["BY"],
        "regierungsbezirke": [],
    },
    {
        "name": "AOK Bremen/Bremerhaven",
        "short_name": "AOK Bremen",
        "slug": "aok-bremen",
        "ik": "103119199",
        "seat": "Bremen",
        "seat_land": "HB",
        "website": "https://www.aok.de/pk/bremen/",
        "postal_address": "Bürgermeister-Smidt-Straße 95, 28195 Bremen",
        "lands": ["HB"],
        "regierungsbezirke": [],
    },
    {
        "name": "AOK Hessen",
        "short_name": "AOK Hessen",
        "slug": "aok-hessen",
        "ik": "105313145",
        "seat": "Bad Homburg v. d. Höhe",
        "seat_land": "HE",
        "website": "https://www.aok.de/pk/hessen/",
        "postal_address": "Basler Straße 2, 61352 Bad Homburg v. d. Höhe",
        "lands": ["HE"],
        "regierungsbezirke": [],
    },
    {
        "name": "AOK Niedersachsen",
        "short_name": "AOK Niedersachsen",
        "slug": "aok-niedersachsen",
        "ik": "102114819",
        "seat": "Hannover",
        "seat_land": "NI",
        "website": "https://www.aok.de/pk/niedersachsen/",
        "postal_address": "Hildesheimer Straße 273, 30519 Hannover",
        "lands": ["NI"],
        "regierungsbezirke": [],
    },
    {
        "name": "AOK Nordost",
        "short_name": "AOK Nordost",
        "slug": "aok-nordost",
        "ik": "100696012",
        "seat": "Potsdam",
        "seat_land": "BB",
        "website": "https://www.aok.de/pk/nordost/",
        "postal_address": "Brandenburger Straße 72, 14467 Potsdam",
        "lands": ["BE", "BB", "MV"],
        "regierungsbezirke": [],
    },
    {
        "name": "AOK NordWest",
        "short_name": "AOK NordWest",
        "slug": "aok-nordwest",
        "ik": "103411401",
        "seat": "Dortmund",
        "seat_land": "NW",
        "website": "https://www.aok.de/pk/nordwest/",
        "postal_address": "Kopenhagener Straße 1, 44269 Dortmund",
        "lands": ["SH"],
        "regierungsbezirke": ["055", "057", "059"],  # Westfalen-Lippe: Münster, Detmold, Arnsberg
    },
    {
        "name": "AOK PLUS",
        "short_name": "AOK PLUS",
        "slug": "aok-plus",
        "ik": "107299005",
        "seat": "Dresden",
        "seat_land": "SN",
        "website": "https://www.aok.de/pk/plus/",
        "postal_address": "Sternplatz 7, 01067 Dresden",
        "lands": ["SN", "TH"],
        "regierungsbezirke": [],
    },
    {
        "name": "AOK Rheinland/Hamburg",
        "short_name": "AOK Rheinland/Hamburg",
        "slug": "aok-rheinland-hamburg",
        "ik": "104212505",
        "seat": "Düsseldorf",
        "seat_land": "NW",
        "website": "https://www.aok.de/pk/rh/",
        "postal_address": "Kasernenstraße 61, 40213 Düsseldorf",
        "lands": ["HH"],
        "regierungsbezirke": ["051", "053"],  # Rheinland: Düsseldorf, Köln
    },
    {
        "name": "AOK Rheinland-Pfalz/Saarland",
        "short_name": "AOK RPS",
        "slug": "aok-rps",
        "ik": "107310373",
        "seat": "Eisenberg (Pfalz)",
        "seat_land": "RP",
        "website": "https://www.aok.de/pk/rps/",
        "postal_address": "Virchowstraße 30, 67304 Eisenberg (Pfalz)",
        "lands": ["RP", "SL"],
        "regierungsbezirke": [],
    },
    {
        "name": "AOK Sachsen-Anhalt",
        "short_name": "AOK Sachsen-Anhalt",
        "slug": "aok-sachsen-anhalt",
        "ik": "101097008",
        "seat": "Magdeburg",
        "seat_land": "ST",
        "website": "https://www.aok.de/pk/sachsen-anhalt/",
        "postal_address": "Lüneburger Straße 4, 39106 Magdeburg",
        "lands": ["ST"],
        "regierungsbezirke": [],
    },
]
