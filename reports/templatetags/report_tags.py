"""Template helpers of the reports app: number formatting in the active language and charts."""

from __future__ import annotations

from django import template

from reports.charts import render_chart
from reports.formatting import format_number, format_percent
from reports.tables import Table, format_cell

register = template.Library()


@register.filter
def num(value, places=None):
    """14728656 → "14.728.656"; with places: Decimal → "12,0"."""
    return format_number(value, None if places in (None, "") else int(places))


@register.filter
def pct(value, places=1):
    """Decimal("95.9") → "95,9 %"."""
    return format_percent(value, int(places))


@register.filter
def pct_stated(value):
    """A percentage as stated, with the decimals it carries: Decimal("97") → "97 %"."""
    return format_percent(value)


@register.simple_tag
def cell(row: dict, column) -> str:
    return format_cell(row.get(column.key), column.kind)


@register.simple_tag
def chart(table: Table):
    return render_chart(table)


@register.filter
def is_numeric(column) -> bool:
    return column.kind != "text"
