"""Rounding and German number formats (pure functions, no database)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from reports.formatting import (
    NBSP,
    format_csv_number,
    format_number,
    format_percent,
    format_points,
    largest_remainder,
    ratio,
    remainder_shares,
    round_half_up,
)


def test_round_half_up_rounds_halves_away_from_zero_not_to_even():
    assert round_half_up(Fraction(125, 1000), 2) == Decimal("0.13")
    assert round_half_up(Fraction(5, 2), 0) == Decimal("3")
    assert round_half_up(Fraction(-5, 2), 0) == Decimal("-3")
    assert round_half_up(Decimal("0.045"), 2) == Decimal("0.05")


def test_ratio_uses_exact_fractions():
    # 18.360 objections ÷ 13.928.656 KV applications = 0,1318 % → 0,13 %
    assert ratio(18_360, 13_928_656, scale=100, places=2) == Decimal("0.13")
    # the double rounding 0,1247 → 0,125 → 0,13 is not what we do: single rounding gives 0,12
    assert ratio(18_360, 14_728_656, scale=100, places=2) == Decimal("0.12")
    assert ratio(1, 0) is None


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([14_128_630, 600_026], ["95.9", "4.1"]),
        ([60_382, 14_730, 105], ["80.3", "19.6", "0.1"]),
        ([165, 72, 142, 32], ["40.1", "17.5", "34.6", "7.8"]),  # half-up alone would print 34,5 → 99,9 %
        ([3_280, 5_095, 2_542, 325], ["29.2", "45.3", "22.6", "2.9"]),
        ([2_291, 8_447, 5_576, 974], ["13.2", "48.9", "32.3", "5.6"]),  # published: 13,3/32,2 (remainder_shares)
    ],
)
def test_largest_remainder_adds_up_to_100(counts, expected):
    shares = largest_remainder(counts)
    assert [str(s) for s in shares] == expected
    assert sum(shares) == Decimal("100.0")


# Every split the published AOK PLUS 2023 report prints: (counts, index of the unfavourable
# outcome, printed shares). Half up for the others, the unfavourable one = 100 minus the others.
PRINTED_SPLITS = [
    ([14_128_630, 600_026], 1, ["95.9", "4.1"]),  # all applications
    ([242_830, 50_053], 1, ["82.9", "17.1"]),  # Zahnersatz
    ([60_382, 14_730, 105], 1, ["80.3", "19.6", "0.1"]),  # Pflegebedürftigkeit
    ([75_734, 9_583], 1, ["88.8", "11.2"]),  # Rehabilitation/Vorsorge
    ([3_386_618, 151_155], 1, ["95.7", "4.3"]),  # Hilfsmittel
    ([2_291, 8_447, 5_576, 974], 2, ["13.3", "48.9", "32.2", "5.6"]),  # KV objections
    ([165, 72, 142, 32], 2, ["40.1", "17.5", "34.6", "7.8"]),  # KV lawsuits
    ([3_280, 5_095, 2_542, 325], 2, ["29.2", "45.3", "22.6", "2.9"]),  # PV objections
]


@pytest.mark.parametrize(("counts", "remainder", "printed"), PRINTED_SPLITS)
def test_remainder_shares_reproduce_every_printed_split(counts, remainder, printed):
    shares = remainder_shares(counts, remainder)
    assert [str(s) for s in shares] == printed
    assert sum(shares) == Decimal("100.0")


def test_remainder_shares_cannot_reproduce_the_pv_lawsuits():
    """60 ÷ 199 = 30,15 % and 59 ÷ 199 = 29,65 %: the published 30,1 / 29,7 follow from no
    rounding to the nearest tenth (documented as a difference of the publication)."""
    assert [str(s) for s in remainder_shares([60, 59, 32, 48], 2)] == ["30.2", "29.6", "16.1", "24.1"]


def test_remainder_shares_fall_back_where_the_rest_would_be_impossible():
    # three favourable shares of 1/3 each round half up to 33,3 → the rest would be 0,1 for a count of 0
    assert [str(s) for s in remainder_shares([1, 1, 1, 0], 3)] == ["33.4", "33.3", "33.3", "0.0"]
    # 0,05 + 0,05 + 99,85 all rounded up = 100,1 → the rest would be −0,1: largest remainder decides
    shares = remainder_shares([1, 1, 1, 1_997], 0)
    assert [str(s) for s in shares] == ["0.1", "0.0", "0.0", "99.9"]
    assert sum(shares) == Decimal("100.0")
    assert remainder_shares([0, 0], 1) == [None, None]
    assert [str(s) for s in remainder_shares([0, 5], 1)] == ["0.0", "100.0"]
    assert [str(s) for s in remainder_shares([5, 0], 1)] == ["100.0", "0.0"]


def test_largest_remainder_breaks_ties_by_size_then_order_and_handles_zero():
    assert [str(s) for s in largest_remainder([1, 1, 1])] == ["33.4", "33.3", "33.3"]
    assert largest_remainder([0, 0]) == [None, None]
    assert [str(s) for s in largest_remainder([0, 5])] == ["0.0", "100.0"]


def test_format_number_german_and_english():
    assert format_number(14_728_656, lang="de") == "14.728.656"
    assert format_number(14_728_656, lang="en") == "14,728,656"
    assert format_number(Decimal("12.0"), lang="de") == "12,0"
    assert format_number(Decimal("1234.56"), 1, lang="de") == "1.234,6"
    assert format_number(-3, lang="de") == "\u22123"
    assert format_number(None) == "–"


def test_format_percent_uses_no_break_space_in_german():
    assert format_percent(Decimal("95.9"), lang="de") == f"95,9{NBSP}%"
    assert format_percent(Decimal("95.9"), lang="en") == "95.9%"
    assert format_percent(Decimal("0.13"), 2, lang="de") == f"0,13{NBSP}%"
    assert format_percent(Decimal("2.5"), lang="de", sign=True) == f"+2,5{NBSP}%"
    assert format_points(Decimal("-0.3"), lang="de") == f"\u22120,3{NBSP}Prozentpunkte"


def test_format_csv_number_has_no_grouping_and_a_decimal_comma():
    assert format_csv_number(14_728_656) == "14728656"
    assert format_csv_number(Decimal("95.9")) == "95,9"
    assert format_csv_number(None) == ""
