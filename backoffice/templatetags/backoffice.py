from __future__ import annotations

from django import template

from backoffice.audit import audit_trail, is_tracked

register = template.Library()


@register.inclusion_tag("admin/backoffice/audit_trail.html")
def audit_trail_of(obj):
    return {"tracked": obj is not None and is_tracked(type(obj)), "entries": audit_trail(obj) if obj else []}
