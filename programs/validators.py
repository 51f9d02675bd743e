"""Validation and generation of the identifiers the portal stores (DOMAIN.md section 4).

Pure functions without database access. Each identifier has one private function that
returns the first problem as a ``ValidationError`` (or ``None``); the ``*_is_valid``
predicates and the ``validate_*`` validators (usable as Django field validators) are thin
wrappers around it, so both always agree. The check digit itself is computed by one private
function per identifier, used both by validation and by the ``*_check_digit`` /
``*_with_check_digit`` generators (demo data, volume data, test factories).

Values are checked exactly as given: stripping blanks or upper-casing is the job of the
form field, not of the validator.

Messages are German source strings wrapped in ``gettext_lazy``; they render in the active
language when the error is displayed.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_DIGITS_RE = re.compile(r"[0-9]+")

#: KV region codes (digits 1-2 of a BSNR, "KV-Landesstellenschlüssel") -> name of the
#: Kassenärztliche Vereinigung.
KV_REGIONS: dict[str, str] = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Bremen",
    "17": "Niedersachsen",
    "20": "Westfalen-Lippe",
    "38": "Nordrhein",
    "46": "Hessen",
    "51": "Rheinland-Pfalz",
    "52": "Baden-Württemberg",
    "71": "Bayern",
    "72": "Berlin",
    "73": "Saarland",
    "78": "Mecklenburg-Vorpommern",
    "83": "Brandenburg",
    "88": "Sachsen-Anhalt",
    "93": "Thüringen",
    "98": "Sachsen",
}

#: Bezirksstellen (district office) codes that may stand in digits 1-2 of older BSNRs,
#: mapped to the code of their KV region (KBV Richtlinie nach § 75 Abs. 7 SGB V, Anlage 1).
KV_BEZIRKSSTELLEN: dict[str, str] = {
    # Niedersachsen: Aurich, Braunschweig, Göttingen, Hannover, Hildesheim, Lüneburg,
    # Oldenburg, Osnabrück, Stade, Verden, Wilhelmshaven
    **dict.fromkeys(["06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16"], "17"),
    # Westfalen-Lippe: Dortmund, Münster
    **dict.fromkeys(["18", "19"], "20"),
    # Nordrhein: Aachen, Düsseldorf, Duisburg, Köln, Linker Niederrhein, Ruhr, Bergisch-Land
    **dict.fromkeys(["21", "24", "25", "27", "28", "31", "37"], "38"),
    # Hessen: Darmstadt, Frankfurt, Gießen, Kassel, Limburg, Marburg, Wiesbaden
    **dict.fromkeys(["39", "40", "41", "42", "43", "44", "45"], "46"),
    # Rheinland-Pfalz: Koblenz, Rheinhessen, Pfalz, Trier
    **dict.fromkeys(["47", "48", "49", "50"], "51"),
    # Baden-Württemberg: Mannheim, Pforzheim, Nordbaden, Baden-Baden, Freiburg, Konstanz,
    # Offenburg, Südbaden, Nordwürttemberg, Südwürttemberg
    **dict.fromkeys(["53", "54", "55", "56", "57", "58", "59", "60", "61", "62"], "52"),
    # Bayern: München Stadt und Land, Oberbayern, Oberfranken, Mittelfranken, Unterfranken,
    # Oberpfalz, Niederbayern, Schwaben
    **dict.fromkeys(["63", "64", "65", "66", "67", "68", "69", "70"], "71"),
    # Brandenburg: Potsdam, Cottbus, Frankfurt (Oder)
    **dict.fromkeys(["79", "80", "81"], "83"),
    # Sachsen-Anhalt: Magdeburg, Halle, Dessau
    **dict.fromkeys(["85", "86", "87"], "88"),
    # Thüringen: Erfurt, Gera, Suhl
    **dict.fromkeys(["89", "90", "91"], "93"),
    # Sachsen: Chemnitz, Dresden, Leipzig
    **dict.fromkeys(["94", "95", "96"], "98"),
}

#: KV region code (digits 1-2 of a BSNR) per Land (``Land.code``). NRW has two KVs and is
#: split by Regierungsbezirk, see :func:`kv_region_code`.
KV_REGION_BY_LAND: dict[str, str] = {
    "SH": "01", "HH": "02", "HB": "03", "NI": "17", "HE": "46", "RP": "51", "BW": "52", "BY": "71",
    "BE": "72", "SL": "73", "MV": "78", "BB": "83", "ST": "88", "TH": "93", "SN": "98",
}  # fmt: skip

#: The NRW Regierungsbezirke (Düsseldorf, Köln) of KV Nordrhein (38); the others belong to
#: KV Westfalen-Lippe (20).
KV_NORDRHEIN_REGIERUNGSBEZIRKE: frozenset[str] = frozenset({"051", "053"})

#: Prefixes of the BSNRs that hospitals receive for specific services; digits 3-4 then
#: name the KV region (35: Anlage 8 BMV-Ä, 75: Entlassmanagement nach § 39 Abs. 1a SGB V).
HOSPITAL_BSNR_PREFIXES: frozenset[str] = frozenset({"35", "75"})

#: The official pseudo-LANR for doctors without a LANR.
PSEUDO_LANR = "999999900"

_KVNR_WRONG_LENGTH = _(
    "Die Krankenversichertennummer muss genau 10 Zeichen lang sein: ein Großbuchstabe und neun Ziffern."
)
_KVNR_WRONG_LETTER = _("Die Krankenversichertennummer muss mit einem Großbuchstaben (A bis Z) beginnen.")
_KVNR_WRONG_DIGITS = _("Auf den Buchstaben der Krankenversichertennummer müssen neun Ziffern folgen.")
_KVNR_WRONG_CHECK = _(
    "Die Prüfziffer der Krankenversichertennummer stimmt nicht. Bitte vergleichen Sie die Nummer mit Ihrer "
    "Gesundheitskarte."
)
_LANR_WRONG_FORMAT = _("Die lebenslange Arztnummer (LANR) muss aus genau neun Ziffern bestehen.")
_LANR_WRONG_CHECK = _("Die Prüfziffer der lebenslangen Arztnummer (LANR) stimmt nicht. Bitte prüfen Sie die Nummer.")
_LANR_PSEUDO = _(
    "999999900 ist die Pseudo-Arztnummer für Ärztinnen und Ärzte ohne LANR; sie bezeichnet keine bestimmte Person."
)
_BSNR_WRONG_FORMAT = _("Die Betriebsstättennummer (BSNR) muss aus genau neun Ziffern bestehen.")
_BSNR_WRONG_REGION = _(
    "Die ersten beiden Ziffern der Betriebsstättennummer (BSNR) sind kein bekannter Schlüssel einer "
    "Kassenärztlichen Vereinigung."
)
_IK_WRONG_FORMAT = _("Das Institutionskennzeichen (IK) muss aus genau neun Ziffern bestehen.")
_IK_WRONG_CHECK = _("Die Prüfziffer des Institutionskennzeichens (IK) stimmt nicht. Bitte prüfen Sie die Nummer.")
_PLZ_WRONG_FORMAT = _("Die Postleitzahl muss aus genau fünf Ziffern bestehen.")
_PLZ_WRONG_RANGE = _("Eine deutsche Postleitzahl beginnt nicht mit 00.")


def _is_digits(value: object, length: int) -> bool:
    """True if ``value`` is a string of exactly ``length`` ASCII digits."""
    return isinstance(value, str) and len(value) == length and _DIGITS_RE.fullmatch(value) is not None


def _digit_sum(number: int) -> int:
    """Quersumme of a non-negative integer below 100 (the products here are at most 18)."""
    return number // 10 + number % 10


def _weighted_digit_sum(digits: str, weights: tuple[int, ...]) -> int:
    """Sum of the digit sums of digit × weight, as used by the KVNR and the IK."""
    return sum(_digit_sum(int(d) * w) for d, w in zip(digits, weights, strict=True))


# --- KVNR -----------------------------------------------------------------------------


def _kvnr_check(letter: str, eight_digits: str) -> int:
    """Check digit of a KVNR: the letter becomes its position 01..26; these two digits and
    the eight digits are weighted 1, 2, 1, 2, ...; the digit sums of the products are added;
    the sum modulo 10 is the check digit."""
    payload = f"{ord(letter) - ord('A') + 1:02d}{eight_digits}"
    return _weighted_digit_sum(payload, (1, 2) * 5) % 10


def _kvnr_error(value: object) -> ValidationError | None:
    """KVNR: one capital letter + 9 digits, the last one the check digit (:func:`_kvnr_check`)."""
    if not isinstance(value, str) or len(value) != 10:
        return ValidationError(_KVNR_WRONG_LENGTH, code="invalid_length")
    letter, digits = value[0], value[1:]
    if not ("A" <= letter <= "Z"):
        return ValidationError(_KVNR_WRONG_LETTER, code="invalid_letter")
    if not _is_digits(digits, 9):
        return ValidationError(_KVNR_WRONG_DIGITS, code="invalid_digits")
    if _kvnr_check(letter, digits[:8]) != int(digits[8]):
        return ValidationError(_KVNR_WRONG_CHECK, code="invalid_check_digit")
    return None


def kvnr_is_valid(value: str) -> bool:
    """True if ``value`` is a well-formed KVNR with a correct check digit."""
    return _kvnr_error(value) is None


def validate_kvnr(value: str) -> None:
    """Django validator for the unchangeable part of the KVNR (e.g. ``A123456780``)."""
    if (error := _kvnr_error(value)) is not None:
        raise error


def kvnr_check_digit(letter: str, eight_digits: str) -> str:
    """The check digit (10th character) of the KVNR with this capital letter and 8 digits."""
    return str(_kvnr_check(letter, eight_digits))


def kvnr_with_check_digit(letter: str, eight_digits: str) -> str:
    """A valid KVNR from a capital letter and 8 digits (e.g. ``A``, ``12345678`` → ``A123456780``)."""
    return f"{letter}{eight_digits}{kvnr_check_digit(letter, eight_digits)}"


# --- LANR -----------------------------------------------------------------------------


def validate_lanr_format(value: str) -> None:
    """Django validator for a LANR: exactly 9 digits. The check digit is NOT enforced,
    because field data is not always clean (see :func:`lanr_warnings`)."""
    if not _is_digits(value, 9):
        raise ValidationError(_LANR_WRONG_FORMAT, code="invalid_format")


def _lanr_check(six_digits: str) -> int:
    """Check digit (7th digit) of a LANR: digits 1-6 × 4, 9, 4, 9, 4, 9 (products added
    without digit sums), check = (10 − sum mod 10) mod 10."""
    total = sum(int(d) * w for d, w in zip(six_digits, (4, 9) * 3, strict=True))
    return (10 - total % 10) % 10


def lanr_check_digit_ok(value: str) -> bool:
    """True if the 7th digit of a 9-digit LANR is right (:func:`_lanr_check`). False for
    anything that is not 9 digits."""
    if not _is_digits(value, 9):
        return False
    return _lanr_check(value[:6]) == int(value[6])


def lanr_check_digit(six_digits: str) -> str:
    """The check digit (7th digit) of a LANR with these first six digits."""
    return str(_lanr_check(six_digits))


def lanr_with_check_digit(six_digits: str, arztgruppe: str) -> str:
    """A LANR: 6-digit id, check digit, 2-digit Arztgruppe (Fachgruppe)."""
    return f"{six_digits}{lanr_check_digit(six_digits)}{arztgruppe}"


def lanr_warnings(value: str) -> list[str | Promise]:
    """Warnings for a LANR that are shown but do not reject it.

    Raises ``ValidationError`` if the format is wrong (not 9 digits). Returns a warning for
    the official pseudo-LANR 999999900 and for a wrong check digit; an empty list otherwise.
    """
    validate_lanr_format(value)
    if value == PSEUDO_LANR:
        return [_LANR_PSEUDO]
    if not lanr_check_digit_ok(value):
        return [_LANR_WRONG_CHECK]
    return []


def lanr_fachgruppe(value: str) -> str:
    """The 2-digit Fachgruppe (digits 8-9) of a LANR; ``ValidationError`` on a wrong format."""
    validate_lanr_format(value)
    return value[7:9]


# --- BSNR -----------------------------------------------------------------------------


def _kv_code_of(prefix: str) -> str | None:
    """KV region code for a 2-digit Landes- or Bezirksstellen code, else None."""
    if prefix in KV_REGIONS:
        return prefix
    return KV_BEZIRKSSTELLEN.get(prefix)


def _bsnr_region_code(value: object) -> str | None:
    """KV region code of a well-formed BSNR, else None."""
    if not _is_digits(value, 9):
        return None
    assert isinstance(value, str)
    prefix = value[:2]
    if prefix in HOSPITAL_BSNR_PREFIXES:
        # Hospital BSNR: the KV follows in digits 3-4.
        prefix = value[2:4]
    return _kv_code_of(prefix)


def validate_bsnr(value: str) -> None:
    """Django validator for a BSNR: 9 digits whose first two digits are a known KV
    Landes- or Bezirksstellen code (or 35/75 + such a code for hospitals). No check digit."""
    if not _is_digits(value, 9):
        raise ValidationError(_BSNR_WRONG_FORMAT, code="invalid_format")
    if _bsnr_region_code(value) is None:
        raise ValidationError(_BSNR_WRONG_REGION, code="invalid_region")


def bsnr_kv_region(value: str) -> str | None:
    """Name of the KV region a BSNR belongs to (a Bezirksstelle maps to its KV), or None
    if the BSNR is not valid."""
    code = _bsnr_region_code(value)
    return KV_REGIONS[code] if code is not None else None


def kv_region_code(land: str, regierungsbezirk: str | None = None) -> str:
    """KV region code (digits 1-2 of a BSNR) for a Land code; in NRW the Regierungsbezirk
    key decides between Nordrhein (38) and Westfalen-Lippe (20)."""
    if land == "NW":
        return "38" if regierungsbezirk in KV_NORDRHEIN_REGIERUNGSBEZIRKE else "20"
    return KV_REGION_BY_LAND[land]


# --- IK -------------------------------------------------------------------------------


def _ik_check(eight_digits: str) -> int:
    """Check digit (9th digit) of an IK: digits 3-8 × 2, 1, 2, 1, 2, 1, add the digit sums
    of the products; the sum modulo 10. Digits 1-2 (the class) do not count."""
    return _weighted_digit_sum(eight_digits[2:], (2, 1) * 3) % 10


def _ik_error(value: object) -> ValidationError | None:
    """IK: 9 digits, the last one the check digit (:func:`_ik_check`)."""
    if not _is_digits(value, 9):
        return ValidationError(_IK_WRONG_FORMAT, code="invalid_format")
    assert isinstance(value, str)
    if _ik_check(value[:8]) != int(value[8]):
        return ValidationError(_IK_WRONG_CHECK, code="invalid_check_digit")
    return None


def ik_is_valid(value: str) -> bool:
    """True if ``value`` is a 9-digit IK with a correct check digit."""
    return _ik_error(value) is None


def validate_ik(value: str) -> None:
    """Django validator for an Institutionskennzeichen (e.g. ``260326822``)."""
    if (error := _ik_error(value)) is not None:
        raise error


def ik_check_digit(eight_digits: str) -> str:
    """The check digit (9th digit) of an IK with these first eight digits."""
    return str(_ik_check(eight_digits))


def ik_with_check_digit(eight_digits: str) -> str:
    """A valid IK from its first eight digits."""
    return f"{eight_digits}{ik_check_digit(eight_digits)}"


# --- PLZ ------------------------------------------------------------------------------


def validate_plz(value: str) -> None:
    """Django validator for a German postal code: 5 digits, not starting with 00 (the
    lowest code in use is 01001)."""
    if not _is_digits(value, 5):
        raise ValidationError(_PLZ_WRONG_FORMAT, code="invalid_format")
    if value.startswith("00"):
        raise ValidationError(_PLZ_WRONG_RANGE, code="invalid_range")
