"""Database routing: the reports read from a read replica when one is configured.

The public transparency reports are read-heavy (rollups, key figures, series over the years)
and tolerate a replica that lags a second behind. With ``REPORTS_READ_DATABASE`` set (an alias
in ``DATABASES``, by default ``"replica"`` when ``DATABASE_REPLICA_URL`` is given), reads of the
``reports`` app's models go there. They stay on the primary:

- inside a transaction on the primary (``transaction.atomic``): a service reads what it has
  just written, and locks (``select_for_update``) are taken where the writes go;
- for ``get_or_create``/``update_or_create`` and ``select_for_update`` (Django sends them to the
  write database);
- for import runs: staff watch a running import and the command reads its outcome right after
  the import wrote it; a lagging replica would report an old status;
- for everything outside the reports app (persons, participations, the catalogue).

An object keeps the database it was read from (Django's default for related objects and
``refresh_from_db``). Writes always go to the primary; migrations run on the primary only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

ROUTED_APP = "reports"
#: Models of the reports app whose readers need the newest state.
PRIMARY_ONLY = frozenset({"importrun"})


def reports_read_alias() -> str:
    return getattr(settings, "REPORTS_READ_DATABASE", "") or ""


class ReportsReadReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = reports_read_alias()
        if not alias or alias == DEFAULT_DB_ALIAS:
            return None
        if model._meta.app_label != ROUTED_APP or model._meta.model_name in PRIMARY_ONLY:
            return None
        if hints.get("instance") is not None:
            return None  # stay where the instance came from
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: objects from either may be related.
        aliases = {DEFAULT_DB_ALIAS, reports_read_alias(), "replica"}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db != DEFAULT_DB_ALIAS and db in {reports_read_alias(), "replica"}:
            return False  # a replica follows the primary; it is never migrated itself
        return None
