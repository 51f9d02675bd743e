"""Numbers as the report prints them, and the rounding rules behind them.

Rules (docs/report-data.md, "Rundung"):
- Rates are computed exactly (fractions of integers, no floats) and rounded half up
  ("kaufmännisch"): 0,125 → 0,13, never banker's rounding.
- Shares that make up a whole and have an unfavourable outcome (approved/rejected, the
  outcomes of objections and lawsuits) use the rule the published report uses
  (`remainder_shares`): every other share is rounded half up, the unfavourable one
  ("abgelehnt", "ohne Erfolg") is 100 minus the others. The printed shares add up to 100 %.
- Shares without an unfavourable outcome (complaint channels and topics, Länder) use the
  largest-remainder method (Hare-Niemeyer): round every share down to the printed precision,
  then give the missing units to the shares with the largest remainders (ties: larger count
  first, then the order given).
- German style: "14.728.656", "95,9 %" (no-break space before %); English: "14,728,656",
  "95.9%".
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import get_language

NBSP = "\u00a0"
MINUS = "\u2212"


def round_half_up(value: Fraction | int | Decimal, places: int) -> Decimal:
    """Round an exact value half up (away from zero) to `places` decimals: 0.125 → 0.13."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    fraction = Fraction(value)
    scaled = abs(fraction) * 10**places
    units = scaled.numerator // scaled.denominator
    if scaled - units >= Fraction(1, 2):
        units += 1
    return Decimal(-units if fraction < 0 else units).scaleb(-places)


def ratio(numerator: int, denominator: int, *, scale: int = 100, places: int = 1) -> Decimal | None:
    """numerator ÷ denominator × scale, rounded half up; None when the denominator is 0."""
    if not denominator:
        return None
    return round_half_up(Fraction(numerator * scale, denominator), places)


def largest_remainder(counts: Sequence[int], *, places: int = 1, whole: int = 100) -> list[Decimal | None]:
    """Shares of `counts` in percent (of `whole`), rounded so that they add up to `whole` exactly.

    >>> [str(s) for s in largest_remainder([2291, 8447, 5576, 974])]
    ['13.2', '48.9', '32.3', '5.6']
    """
    total = sum(counts)
    if total == 0:
        return [None] * len(counts)
    unit = 10**places
    exact = [Fraction(c * whole * unit, total) for c in counts]
    floors = [e.numerator // e.denominator for e in exact]
    missing = whole * unit - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), -counts[i], i))
    for i in order[:missing]:
        floors[i] += 1
    return [Decimal(f).scaleb(-places) for f in floors]


def remainder_shares(
    counts: Sequence[int], remainder: int, *, places: int = 1, whole: int = 100
) -> list[Decimal | None]:
    """Shares in percent as the published report prints them: every share except
    `counts[remainder]` rounded half up, the share at `remainder` (the unfavourable outcome)
    = `whole` minus the others.

    >>> [str(s) for s in remainder_shares([2291, 8447, 5576, 974], 2)]
    ['13.3', '48.9', '32.2', '5.6']

    Where that would print something the counts cannot mean (a negative share, or a share
    other than 0 for a count of 0, possible only with tiny counts), the largest-remainder
    method decides instead, so the shares still add up to `whole`.
    """
    total = sum(counts)
    if total == 0:
        return [None] * len(counts)
    shares: list[Decimal | None] = [
        round_half_up(Fraction(c * whole, total), places) if i != remainder else None for i, c in enumerate(counts)
    ]
    rest = Decimal(whole) - sum(s for s in shares if s is not None)
    if rest < 0 or (counts[remainder] == 0 and rest != 0):
        return largest_remainder(counts, places=places, whole=whole)
    shares[remainder] = rest.quantize(Decimal(1).scaleb(-places))
    return shares


def _lang(lang: str | None) -> str:
    return (lang or get_language() or "de")[:2]


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.append(digits[-3:])
        digits = digits[:-3]
    out.append(digits)
    return sep.join(reversed(out))


def format_number(
    value: int | Decimal | None, places: int | None = None, *, lang: str | None = None, sign: bool = False
) -> str:
    """14728656 → "14.728.656"; Decimal("12.0") → "12,0" (German) or "14,728,656"/"12.0" (English).

    `places` re-rounds a Decimal (half up); `sign` prints "+" for positive values.
    """
    if value is None:
        return "–"
    if not isinstance(value, (int, Decimal, float)):
        return str(value)  # a hidden small number ("< 5")
    lang = _lang(lang)
    thousands, decimal_sep = (".", ",") if lang == "de" else (",", ".")
    if isinstance(value, int):
        number = Decimal(value)
        if places is None:
            places = 0
    else:
        number = Decimal(value)
        if places is None:
            places = max(0, -number.as_tuple().exponent)
    number = round_half_up(number, places)
    negative = number < 0
    text = f"{abs(number):.{places}f}"
    integer, _, fraction = text.partition(".")
    result = _group(integer, thousands) + (decimal_sep + fraction if fraction else "")
    if negative and number != 0:
        return MINUS + result
    if sign and number > 0:
        return "+" + result
    return result


def format_percent(
    value: Decimal | None, places: int | None = None, *, lang: str | None = None, sign: bool = False
) -> str:
    """Decimal("95.9") → "95,9 %" (German, no-break space) or "95.9%" (English)."""
    if value is None:
        return "–"
    text = format_number(value, places, lang=lang, sign=sign)
    return f"{text}{NBSP}%" if _lang(lang) == "de" else f"{text}%"


def format_points(value: Decimal | None, *, lang: str | None = None) -> str:
    """A difference of two percentages: "+0,3 Prozentpunkte" / "+0.3 percentage points"."""
    if value is None:
        return "–"
    text = format_number(value, lang=lang, sign=True)
    return f"{text}{NBSP}Prozentpunkte" if _lang(lang) == "de" else f"{text} percentage points"


def format_csv_number(value: int | Decimal | None) -> str:
    """Numbers in CSV files: no thousands separator, decimal comma (German spreadsheets); a
    hidden small number as "<5"."""
    if value is None:
        return ""
    if not isinstance(value, (int, Decimal)):
        return str(value).replace(" ", "")
    if isinstance(value, int):
        return str(value)
    return format(value, "f").replace(".", ",")
