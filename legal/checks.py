"""A production deployment warns at start-up while legal information is missing."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register
from django.db import DatabaseError


@register("legal", deploy=True)
def legal_information_complete(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    from legal.models import LegalInformation

    try:
        info = LegalInformation.objects.filter(pk=1).first()
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    if info is None:
        return [
            Warning(
                "The Impressum, privacy notice and accessibility statement have no operator data yet.",
                hint="Fill in 'Rechtliche Angaben' in the back office (/verwaltung/legal/).",
                id="legal.W001",
            )
        ]
    missing = sorted({name for page in info.REQUIRED for name in info.missing(page)})
    if missing:
        return [
            Warning(
                f"Legal pages are missing: {', '.join(missing)}.",
                hint="Fill them in under 'Rechtliche Angaben' in the back office.",
                id="legal.W002",
            )
        ]
    return []
