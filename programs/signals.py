"""Invalidate the anonymous page cache (programs.caching) when the catalogue changes.

Connected in ProgramsConfig.ready(). Only cache invalidation happens here; no state of
any record is changed by a signal.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from programs.caching import bump_catalogue_version


def _bump(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata: the loader bumps once at the end if it cares
        return
    bump_catalogue_version()


def _bump_m2m(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump_catalogue_version()


def connect() -> None:
    from programs.models import Contract, Fund, FundRegion, Program
    from providers.models import ContractParticipation, Provider

    for model in (Program, Contract, Fund, FundRegion, Provider, ContractParticipation):
        post_save.connect(_bump, sender=model, dispatch_uid=f"catalogue-bump-save-{model._meta.label}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"catalogue-bump-delete-{model._meta.label}")
    for relation in ("region_lands", "region_kreise", "region_gemeinden", "prerequisites", "excludes"):
        through = getattr(Program, relation).through
        m2m_changed.connect(_bump_m2m, sender=through, dispatch_uid=f"catalogue-bump-m2m-{relation}")
