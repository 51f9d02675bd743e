"""Invalidate the anonymous page cache (programs.caching) when the catalogue changes.

Connected in ProgramsConfig.ready() for the catalogue's own models; the providers app
connects the same handlers for providers and their contract participations
(``providers.signals``), so this module needs nothing from a higher floor. Only cache
invalidation happens here; no state of any record is changed by a signal.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from programs.caching import bump_catalogue_version


def _bump_now_and_on_commit() -> None:
    """Now, so this process sees the edit at once; and again when the transaction commits: a
    worker that read the first new version before the commit may have memoised the old rows
    under it, and those memos last until the version moves on."""
    bump_catalogue_version()
    transaction.on_commit(bump_catalogue_version)


def catalogue_changed(sender, **kwargs) -> None:
    """post_save/post_delete handler: a row shown in the catalogue changed."""
    if kwargs.get("raw"):  # loaddata: the loader bumps once at the end if it cares
        return
    _bump_now_and_on_commit()


def catalogue_relation_changed(sender, action: str, **kwargs) -> None:
    """m2m_changed handler: a relation shown in the catalogue changed."""
    if action in ("post_add", "post_remove", "post_clear"):
        _bump_now_and_on_commit()


def connect_model(model) -> None:
    """Bump the catalogue version whenever a row of `model` is saved or deleted."""
    post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-bump-save-{model._meta.label}")
    post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-bump-delete-{model._meta.label}")


def connect() -> None:
    from programs.models import Contract, Fund, FundRegion, Gemeinde, Kreis, PostalCode, PostalCodeGemeinde, Program

    # the regions too: what a postal code stands for is memoised per catalogue version
    for model in (Program, Contract, Fund, FundRegion, PostalCode, PostalCodeGemeinde, Gemeinde, Kreis):
        connect_model(model)
    for relation in ("region_lands", "region_kreise", "region_gemeinden", "prerequisites", "excludes"):
        through = getattr(Program, relation).through
        m2m_changed.connect(catalogue_relation_changed, sender=through, dispatch_uid=f"catalogue-bump-m2m-{relation}")
