from __future__ import annotations

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def legal_value(info, field: str):
    """The operator's value, or a visible marker naming what is missing (never a fake placeholder)."""
    value = getattr(info, field)
    if value in ("", None):
        label = info._meta.get_field(field).verbose_name
        return format_html('<mark class="app-missing">{}: {}</mark>', _("Angabe fehlt"), label)
    if hasattr(value, "year"):
        return formats.date_format(value, "DATE_FORMAT")
    return value
