"""Small numbers in reports: counts of people below a threshold are not shown.

The participation figures of the portal's own programs count persons; a published cell of
1 ("Curaplan Asthma: 1", "Sachsen: 1 = 100 %") can point at a person. Rule (docs/report-data.md,
"Kleine Zahlen"):

1. Primary: a count from 1 to `threshold − 1` is hidden (shown as "< 5"); 0 is shown.
2. Secondary: a column is printed with its total. When exactly one cell of a column is
   hidden, the total minus the shown cells would give it back, so the smallest other
   non-zero cell of the column is hidden as well. A total below the threshold is hidden
   together with every non-zero cell of its column.
3. What is derived from a hidden count is hidden with it: its rate per 100,000 insured and
   its share in percent.

The threshold is `settings.REPORT_MIN_COUNT` (default 5; 1 turns the rule off).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings


@dataclass(frozen=True)
class Hidden:
    """A count that is not shown (and everything derived from it)."""

    threshold: int

    def __str__(self) -> str:
        return f"< {self.threshold}"


def threshold() -> int:
    return max(1, int(getattr(settings, "REPORT_MIN_COUNT", 5)))


def is_hidden(value) -> bool:
    return isinstance(value, Hidden)


def hide_column(values: list[int], total: int, limit: int) -> tuple[list[int | Hidden], int | Hidden]:
    """The column's cells and total with rules 1 and 2 applied."""
    hidden = {i for i, v in enumerate(values) if 0 < v < limit}
    total_hidden = 0 < total < limit
    if total_hidden:
        hidden |= {i for i, v in enumerate(values) if v > 0}
    elif len(hidden) == 1:
        others = sorted((v, i) for i, v in enumerate(values) if i not in hidden and v > 0)
        if others:
            hidden.add(others[0][1])
        else:  # the total is the hidden cell itself
            total_hidden = True
    mark = Hidden(limit)
    cells = [mark if i in hidden else v for i, v in enumerate(values)]
    return cells, mark if total_hidden else total


def hide_rows(rows: list, fields: tuple[str, ...], totals: dict[str, int], limit: int) -> tuple[list, dict]:
    """Apply `hide_column` to each field of dataclass rows; returns new rows and totals."""
    columns = {}
    shown_totals = {}
    for name in fields:
        columns[name], shown_totals[name] = hide_column([getattr(r, name) for r in rows], totals[name], limit)
    new_rows = [replace(r, **{name: columns[name][i] for name in fields}) for i, r in enumerate(rows)]
    return new_rows, shown_totals
