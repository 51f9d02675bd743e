"""The small-number rule (reports.suppression): primary and secondary suppression."""

from __future__ import annotations

import pytest

from reports.suppression import Hidden, hide_column

H = Hidden(5)


@pytest.mark.parametrize(
    ("values", "total", "cells", "shown_total"),
    [
        ([10, 20, 30], 60, [10, 20, 30], 60),  # nothing small
        ([0, 12, 7], 19, [0, 12, 7], 19),  # zero is shown
        ([1, 12, 7], 20, [H, 12, H], 20),  # one small cell: the next smallest is hidden too
        ([1, 3, 70], 74, [H, H, 70], 74),  # two small cells: their sum is known, not each
        ([1, 0, 0], 1, [H, 0, 0], H),  # a small total is hidden with its cells
        ([2, 2], 4, [H, H], H),
        ([6], 6, [6], 6),
    ],
)
def test_hide_column(values, total, cells, shown_total):
    assert hide_column(values, total, 5) == (cells, shown_total)


def test_no_single_hidden_cell_can_be_computed_back_from_the_total():
    """Whatever the column, a shown total minus the shown cells never equals one hidden cell alone."""
    import itertools

    for values in itertools.product([0, 1, 4, 5, 9], repeat=3):
        cells, total = hide_column(list(values), sum(values), 5)
        hidden = [v for v, c in zip(values, cells, strict=True) if isinstance(c, Hidden)]
        assert not any(0 < v < 5 and not isinstance(c, Hidden) for v, c in zip(values, cells, strict=True))
        if not isinstance(total, Hidden):
            assert len([v for v in hidden if v > 0]) != 1


def test_hidden_prints_as_less_than_the_threshold():
    assert str(Hidden(5)) == "< 5"
