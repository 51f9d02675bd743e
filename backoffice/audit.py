"""Reading the audit trail: what changed on one object, when, by whom (old → new).

The rows are written by the database triggers of django-pghistory (`backoffice.models`);
this module turns the snapshots into a readable list for the admin's history page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

#: Never shown, not even as "changed" (secrets or noise).
HIDDEN_FIELDS = {"password", "last_login", "updated_at", "code_hash"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class AuditEntry:
    at: dt.datetime
    kind: str  # "angelegt" / "geändert" / "gelöscht"
    who: str
    where: str
    changes: list[Change] = field(default_factory=list)


@cache
def _event_models() -> dict[type[models.Model], type[models.Model]]:
    """Concrete tracked model → its pghistory event model (row snapshots)."""
    found = {}
    for model in apps.get_app_config("backoffice").get_models():
        tracked = getattr(model, "pgh_tracked_model", None)
        if tracked is not None and hasattr(model, "pgh_obj"):
            found[tracked._meta.concrete_model] = model
    return found


def event_model_for(model: type[models.Model]) -> type[models.Model] | None:
    return _event_models().get(model._meta.concrete_model)


def is_tracked(model: type[models.Model]) -> bool:
    return event_model_for(model) is not None


def _tracked_fields(event_model, tracked) -> list[models.Field]:
    names = {f.name for f in event_model._meta.fields if not f.name.startswith("pgh_")}
    return [f for f in tracked._meta.concrete_fields if f.name in names and f.name not in HIDDEN_FIELDS]


def _display(f: models.Field, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if f.is_relation:
        return f"#{value}"
    return str(value)


def _who(context, users: dict[int, Any]) -> tuple[str, str]:
    meta = (context.metadata if context is not None else None) or {}
    if meta.get("user") is not None:
        user = users.get(int(meta["user"]))
        return (user.get_username() if user else _("Konto #%(id)s (gelöscht)") % {"id": meta["user"]}), meta.get(
            "url", ""
        )
    if meta.get("command"):
        who = _("Befehl %(command)s") % {"command": meta["command"]}
        if meta.get("os_user"):
            who += f" ({meta['os_user']})"
        return who, ""
    return _("ohne Anmeldung (direkt in der Datenbank oder ohne Kontext)"), ""


def audit_trail(obj: models.Model) -> list[AuditEntry]:
    """Every recorded insert, update and delete of `obj`, oldest first (empty on SQLite)."""
    event_model = event_model_for(type(obj))
    if event_model is None:
        return []
    tracked = event_model.pgh_tracked_model
    fields = _tracked_fields(event_model, tracked)
    events = list(
        event_model.objects.filter(pgh_obj_id=obj.pk).select_related("pgh_context").order_by("pgh_created_at", "pgh_id")
    )
    user_ids = {
        int(e.pgh_context.metadata["user"])
        for e in events
        if e.pgh_context is not None and (e.pgh_context.metadata or {}).get("user") is not None
    }
    users = get_user_model().objects.in_bulk(user_ids) if user_ids else {}
    labels = {"insert": _("angelegt"), "update": _("geändert"), "delete": _("gelöscht")}
    entries, previous = [], None
    for event in events:
        who, where = _who(event.pgh_context, users)
        entry = AuditEntry(
            at=event.pgh_created_at, kind=labels.get(event.pgh_label, event.pgh_label), who=who, where=where
        )
        for f in fields:
            new = getattr(event, f.attname)
            if event.pgh_label == "delete":
                continue
            old = getattr(previous, f.attname) if previous is not None else None
            if previous is None and new in (None, ""):
                continue
            if previous is None or old != new:
                entry.changes.append(
                    Change(
                        field=str(f.verbose_name),
                        old=_display(f, old) if previous is not None else "",
                        new=_display(f, new),
                    )
                )
        if event.pgh_label == "update" and not entry.changes:
            previous = event
            continue  # only hidden fields changed (e.g. updated_at)
        entries.append(entry)
        previous = event
    return entries
