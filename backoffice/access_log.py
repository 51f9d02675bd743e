"""The access log: which staff member saw which insured person's data, when, and how.

`AccessLogMiddleware` looks at the admin's responses (template context, autocomplete
answers, and downloads that name their persons in `response.accessed_persons`, e.g.
activation letters) and writes one `AccessLogEntry` per person shown, in one insert per page. It
knows the models that carry persons (`PERSON_FIELDS`), not the admin classes, so every
page of these models is covered — including pages added later.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.apps import apps
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import timezone

from backoffice.models import AccessAction, AccessLogEntry
from enrollment.models import InsuredPerson

#: model label → attributes holding ids of insured persons ("" = the object itself).
PERSON_FIELDS: dict[str, tuple[str, ...]] = {
    "enrollment.insuredperson": ("pk",),
    "enrollment.participation": ("person_id", "signer_id"),
    "enrollment.legalrepresentation": ("representative_id", "represented_id"),
    "enrollment.activationcode": ("person_id",),
    "enrollment.participationevent": ("participation.person_id",),
    "enrollment.doctorchangerequest": ("participation.person_id",),
    "enrollment.cancellationrequest": ("participation.person_id",),
}


def _attr(obj, dotted: str):
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def persons_of(obj: Model) -> list[int]:
    fields = PERSON_FIELDS.get(obj._meta.label_lower, ())
    return [pk for pk in (_attr(obj, f) for f in fields) if pk is not None]


def log_access(
    *, user, person_ids: Iterable[int], action: str, record_type: str, record_ids: dict[int, str], path: str, now=None
) -> int:
    """Write one entry per person (two queries: the persons' funds, one insert)."""
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return 0
    now = now or timezone.now()
    funds = dict(InsuredPerson.objects.filter(pk__in=ids).values_list("pk", "fund_id"))
    entries = [
        AccessLogEntry(
            at=now,
            user=user,
            username=user.get_username(),
            person_id=pk,
            fund_id=funds[pk],
            action=action,
            record_type=record_type,
            record_id=record_ids.get(pk, ""),
            path=path[:200],
        )
        for pk in ids
        if pk in funds
    ]
    AccessLogEntry.objects.bulk_create(entries)
    return len(entries)


def access_log_for_person(person: InsuredPerson) -> QuerySet[AccessLogEntry]:
    """Every recorded staff access to `person`'s data, newest first (for the data export)."""
    return AccessLogEntry.objects.filter(person=person).order_by("-at", "-pk")


# --- the middleware ------------------------------------------------------------------------------


def _from_context(context: dict) -> tuple[str, list[Model], str] | None:
    """(action, objects shown, record type) of an admin page, or None if it shows no person."""
    changelist = context.get("cl")
    if changelist is not None and changelist.model._meta.label_lower in PERSON_FIELDS:
        action = AccessAction.SEARCH if changelist.query else AccessAction.LIST
        return action, list(changelist.result_list), changelist.model._meta.label_lower
    if "action_list" in context and context.get("object") is not None:  # history page
        obj = context["object"]
        return AccessAction.HISTORY, [obj], obj._meta.label_lower
    for key in ("original", "object", "participation"):
        obj = context.get(key)
        if isinstance(obj, Model) and obj._meta.label_lower in PERSON_FIELDS:
            return AccessAction.VIEW, [obj], obj._meta.label_lower
    return None


def _autocomplete_persons(request, response) -> list[int]:
    try:
        source = apps.get_model(request.GET["app_label"], request.GET["model_name"])
        target = source._meta.get_field(request.GET["field_name"]).remote_field.model
    except (KeyError, LookupError, AttributeError, ValueError):
        return []
    if target is not InsuredPerson:
        return []
    try:
        results = json.loads(response.content)["results"]
        return [int(r["id"]) for r in results]
    except (ValueError, KeyError, TypeError):
        return []


class AccessLogMiddleware:
    """Log every admin page and autocomplete answer that shows insured persons to staff."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None

    def _is_admin(self, request) -> bool:
        if self._prefix is None:
            self._prefix = reverse("admin:index")
        user = getattr(request, "user", None)
        return request.path.startswith(self._prefix) and user is not None and user.is_authenticated and user.is_staff

    def __call__(self, request):
        response = self.get_response(request)
        accessed = getattr(response, "accessed_persons", None)  # downloads, e.g. activation letters
        if accessed and response.status_code == 200 and self._is_admin(request):
            record_type, persons = accessed
            log_access(
                user=request.user,
                person_ids=list(persons),
                action=AccessAction.VIEW,
                record_type=record_type,
                record_ids=persons,
                path=request.path,
            )
        if (
            response.status_code == 200
            and getattr(request, "resolver_match", None) is not None
            and request.resolver_match.url_name == "autocomplete"
            and self._is_admin(request)
        ):
            ids = _autocomplete_persons(request, response)
            log_access(
                user=request.user,
                person_ids=ids,
                action=AccessAction.AUTOCOMPLETE,
                record_type="enrollment.insuredperson",
                record_ids={pk: str(pk) for pk in ids},
                path=request.path,
            )
        return response

    def process_template_response(self, request, response):
        if response.status_code != 200 or not self._is_admin(request) or not response.context_data:
            return response
        found = _from_context(response.context_data)
        if found is None:
            return response
        action, objects, record_type = found
        person_ids, record_ids = [], {}
        for obj in objects:
            for pk in persons_of(obj):
                person_ids.append(pk)
                record_ids.setdefault(pk, str(obj.pk))
        log_access(
            user=request.user,
            person_ids=person_ids,
            action=action,
            record_type=record_type,
            record_ids=record_ids,
            path=request.path,
        )
        return response
