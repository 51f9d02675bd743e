"""Inline SVG charts drawn from a report table (same numbers as the table next to them).

Accessibility and CSP: `role="img"` with `<title>` and `<desc>` referenced by
`aria-labelledby`; colours and sizes are SVG presentation attributes (no `style`
attribute, no inline CSS), so the strict Content Security Policy allows them and WeasyPrint
renders them without a stylesheet. Text colours on the bars have a contrast of at least
4.5:1 against the fill; segments are separated by white gaps.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.tables import Table, format_cell

PALETTE = ("#1f4e79", "#a93226", "#5b3f8c", "#4d5656", "#7d5a00", "#1e6b52")
WIDTH = 560
ROW = 50
_ids = itertools.count(1)


def _num(value) -> float:
    if value is None:
        return 0.0
    return float(value) if isinstance(value, (int, Decimal, float)) else 0.0


def _head(title: str, description: str, height: int, css_class: str) -> tuple[str, str]:
    n = next(_ids)
    tid, did = f"chart-{n}-title", f"chart-{n}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart {css_class}" role="img" '
        f'aria-labelledby="{tid} {did}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'font-family="Fira Sans, sans-serif" font-size="15">'
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(description)}</desc>'
    )
    return head, "</svg>"


def bar_chart(table: Table) -> SafeString:
    """One horizontal bar per row: label above, bar with the printed value at its end."""
    spec = table.chart
    # Hidden small numbers get no bar (their length would give them away).
    rows = [r for r in (table.chart_rows or table.rows) if isinstance(r.get(spec.value), (int, Decimal, float))]
    column = table.column(spec.value)
    peak = max((_num(r[spec.value]) for r in rows), default=0.0) or 1.0
    height = ROW * len(rows) + 8
    head, tail = _head(spec.title, spec.description, height, "report-chart--bar")
    parts = [head]
    bar_area = WIDTH - 110
    for i, row in enumerate(rows):
        y = i * ROW
        width = max(1.0, bar_area * _num(row[spec.value]) / peak) if _num(row[spec.value]) > 0 else 0.0
        label = row.get(spec.label, "")
        if row.get("group"):
            label = f"{row['group']}: {label}"
        parts.append(f'<text x="0" y="{y + 16}" fill="#1b1b1b">{escape(label)}</text>')
        parts.append(f'<rect x="0" y="{y + 23}" width="{width:.1f}" height="18" fill="{PALETTE[0]}"/>')
        parts.append(
            f'<text x="{width + 6:.1f}" y="{y + 37}" fill="#1b1b1b">{escape(format_cell(row[spec.value], column.kind))}</text>'
        )
    parts.append(tail)
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def stacked_chart(table: Table) -> SafeString:
    """One 100 % bar per row, segments in the order of `spec.parts`, legend below."""
    spec = table.chart
    rows = table.chart_rows or table.rows
    legend_rows = (len(spec.parts) + 1) // 2
    height = ROW * len(rows) + 26 * legend_rows + 12
    head, tail = _head(spec.title, spec.description, height, "report-chart--stacked")
    parts = [head]
    for i, row in enumerate(rows):
        y = i * ROW
        parts.append(f'<text x="0" y="{y + 16}" fill="#1b1b1b">{escape(row.get(spec.label, ""))}</text>')
        x = 0.0
        for k, (key, _label) in enumerate(spec.parts):
            share = _num(row.get(key))
            if share <= 0:
                continue
            width = WIDTH * share / 100
            fill = PALETTE[k % len(PALETTE)]
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 21}" width="{max(0.5, width - 1):.1f}" height="18" fill="{fill}"/>'
            )
            if width > 52:
                parts.append(
                    f'<text x="{x + 4:.1f}" y="{y + 35}" fill="#ffffff">{escape(format_cell(row.get(key), "percent"))}</text>'
                )
            x += width
    y0 = ROW * len(rows) + 8
    for k, (_key, label) in enumerate(spec.parts):
        col, line = k % 2, k // 2
        lx, ly = col * (WIDTH / 2), y0 + line * 26
        parts.append(f'<rect x="{lx:.1f}" y="{ly}" width="15" height="15" fill="{PALETTE[k % len(PALETTE)]}"/>')
        parts.append(f'<text x="{lx + 21:.1f}" y="{ly + 13}" fill="#1b1b1b">{escape(label)}</text>')
    parts.append(tail)
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def render_chart(table: Table) -> SafeString:
    if table.chart is None:
        return mark_safe("")
    if table.chart.kind == "stacked":
        return stacked_chart(table)
    return bar_chart(table)
