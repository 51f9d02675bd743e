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
        ([2_291, 8_447, 5_576, 974], ["13.2", "48.9", "32.3", "5.6"]),  # published: 13,3/32,2 (see docs)
    ],
)
def test_largest_remainder_reproduces_splits_that_add_up_to_100(counts, expected):
    shares = largest_remainder(counts)
    assert [str(s) for s in shares] == expected
    assert sum(shares) == Decimal("100.0")


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
