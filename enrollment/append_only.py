"""Append-only rows: written once, never changed or deleted through the ORM.

Used by `ParticipationEvent`, the record of every step of a participation. The same rule
holds in PostgreSQL itself (a trigger installed by `backoffice`, see docs/audit.md), so
raw SQL and other clients are refused there too; this guard covers every database,
SQLite included, for code that goes through the ORM.
"""

from __future__ import annotations

from django.db import models


class AppendOnlyError(Exception):
    """An attempt to change or delete an append-only row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.verbose_name}: Einträge können nicht geändert werden.")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.verbose_name}: Einträge können nicht gelöscht werden.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(f"{self.model._meta.verbose_name}: Einträge können nicht geändert werden.")


class AppendOnlyModel(models.Model):
    """`save()` only inserts; `delete()` always refuses."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.verbose_name}: Einträge können nicht geändert werden.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.verbose_name}: Einträge können nicht gelöscht werden.")
