"""Retention: participations are deleted when the retention period after their end has passed
(issue 9 §3, docs/data-protection.md).

A participation counts as ended on the day it closed for good: the last day of participation
(`ended`), the day of the revocation (`revoked`) or of the rejection (`rejected`). Once
`settings.RETENTION_YEARS` (default 10) full years have passed since that day, the daily run
(`manage.py enrollment_daily`, which calls `run_retention` as one of its steps) deletes it with
everything that names it: its events, doctor-change and cancellation requests, the issued
documents (rows and files) and its snapshots in the audit trail. Participations still open,
or ended more recently, are never touched; drafts are not part of this rule.

What remains names nobody:
- its contribution to the report figures (`enrollment.RetainedCount`), so the transparency
  reports of past years keep their numbers (`reports.participation` adds these counts);
- a `RetentionDeletion` row: number, fund, program, last status, end day, time of deletion.

Each participation is deleted in its own transaction under a row lock, so a run that stops
half-way leaves every participation either whole or gone, and a second run finds only what is
left (idempotent). In a dry run (`--dry-run`) the same code runs inside a transaction that is
rolled back: it lists what would be deleted and deletes nothing (files are removed only after
the commit). Participation events are append-only — in PostgreSQL by a trigger — and the
retention deletion is the one place that lifts this for the rows it deletes
(`pgtrigger.ignore`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass

import pgtrigger
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from enrollment.lifecycle import ENDING_STATUSES, STARTED_STATUSES, Status
from enrollment.models import (
    IssuedDocument,
    Participation,
    ParticipationEvent,
    RetainedCount,
    RetainedMeasure,
    RetentionDeletion,
)
from programs.terms.deadlines import BERLIN, add_months

#: Statuses a participation never leaves, with the field that says when it closed.
CLOSED_ON = {Status.ENDED: "end_date", Status.REVOKED: "revoked_at", Status.REJECTED: "rejected_at"}
APPEND_ONLY_TRIGGER = "backoffice.ParticipationEventGuard:participationevent_append_only"
#: Audit trail snapshots (backoffice.models) that name a participation, and the column naming it.
AUDIT_MODELS = (
    ("ParticipationAudit", "pgh_obj_id"),
    ("DoctorChangeRequestAudit", "participation_id"),
    ("CancellationRequestAudit", "participation_id"),
)
STEP = "Aufbewahrungsfrist abgelaufen, gelöscht"


def retention_years() -> int:
    return int(getattr(settings, "RETENTION_YEARS", 10))


def retention_cutoff(today: dt.date, years: int | None = None) -> dt.date:
    """Participations that closed before this day are past their retention period on `today`."""
    return add_months(today, -12 * (retention_years() if years is None else years))


def expired_participations(*, today: dt.date, years: int | None = None):
    cutoff = retention_cutoff(today, years)
    cutoff_at = dt.datetime.combine(cutoff, dt.time.min, tzinfo=BERLIN)
    return Participation.objects.filter(
        Q(status=Status.ENDED, end_date__lt=cutoff)
        | Q(status=Status.REVOKED, revoked_at__lt=cutoff_at)
        | Q(status=Status.REJECTED, rejected_at__lt=cutoff_at)
    )


def closed_on(p: Participation) -> dt.date:
    value = getattr(p, CLOSED_ON[p.status])
    return timezone.localtime(value, BERLIN).date() if isinstance(value, dt.datetime) else value


def _year(value: dt.datetime | None) -> int | None:
    return timezone.localtime(value, BERLIN).year if value is not None else None


def report_contributions(p: Participation) -> Counter:
    """(measure, year) → 1 for every figure of `reports.participation` this participation
    counts in, by the same definitions (participants at the end of each year it ran through,
    its declaration, revocation, cancellation and ending)."""
    counts: Counter = Counter()
    if p.status in STARTED_STATUSES and p.start_date is not None:
        last = p.end_date or timezone.localdate()
        for year in range(p.start_date.year, last.year + 1):
            year_end = dt.date(year, 12, 31)
            if p.start_date <= year_end and (p.end_date is None or p.end_date >= year_end):
                counts[(RetainedMeasure.PARTICIPANTS, year)] += 1
    if p.status != Status.DRAFT:
        counts[(RetainedMeasure.DECLARATIONS, _year(p.declared_at))] += 1
    if p.revoked_at is not None:
        counts[(RetainedMeasure.REVOCATIONS, _year(p.revoked_at))] += 1
    if p.cancelled_at is not None:
        counts[(RetainedMeasure.CANCELLATIONS, _year(p.cancelled_at))] += 1
    if p.status in ENDING_STATUSES and p.end_date is not None:
        counts[(RetainedMeasure.ENDINGS, p.end_date.year)] += 1
    return counts


def _retain_counts(p: Participation, fund_id: int, land_id: str) -> None:
    for (measure, year), n in report_contributions(p).items():
        key = {"fund_id": fund_id, "program_id": p.program_id, "year": year, "land_id": land_id, "measure": measure}
        if not RetainedCount.objects.filter(**key).update(count=F("count") + n):
            RetainedCount.objects.create(**key, program_type=p.program_type, count=n)


def _append_only_lifted():
    """Lift the append-only trigger of participation events for this block (PostgreSQL)."""
    return pgtrigger.ignore(APPEND_ONLY_TRIGGER) if connection.vendor == "postgresql" else nullcontext()


def participation_purge(*, participation_id: int, today: dt.date, now: dt.datetime, years: int | None = None):
    """Delete one participation past its retention period (see the module docstring). Returns
    the `RetentionDeletion` row, or None when it is gone or not (any more) past the period."""
    with transaction.atomic():
        p = (
            expired_participations(today=today, years=years)
            .select_for_update(of=("self",))
            .select_related("person", "contract")
            .filter(pk=participation_id)
            .first()
        )
        if p is None:
            return None
        fund_id, land_id = p.contract.fund_id, p.person.land_id
        _retain_counts(p, fund_id, land_id)
        documents = list(IssuedDocument.objects.filter(participation=p).values_list("pk", "file"))
        events = ParticipationEvent.objects.filter(participation=p).count()
        with _append_only_lifted():
            IssuedDocument.objects.filter(pk__in=[pk for pk, _file in documents])._raw_delete(connection.alias)
            Participation.objects.filter(pk=p.pk).delete()  # cascades to events and requests
        for model_name, column in AUDIT_MODELS:
            apps.get_model("backoffice", model_name).objects.filter(**{column: p.pk}).delete()
        storage = IssuedDocument._meta.get_field("file").storage
        names = [name for _pk, name in documents if name]
        transaction.on_commit(lambda: [storage.delete(name) for name in names])
        return RetentionDeletion.objects.create(
            participation_id=p.pk,
            fund_id=fund_id,
            program_id=p.program_id,
            status=p.status,
            closed_on=closed_on(p),
            deleted_at=now,
            documents=len(documents),
            events=events,
        )


@dataclass
class RetentionResult:
    cutoff: dt.date
    deleted: list[RetentionDeletion]


def run_retention(*, now: dt.datetime, report=None, years: int | None = None) -> RetentionResult:
    """Delete every participation past its retention period; a step of the daily run (it adds
    a line per participation to the daily report)."""
    today = timezone.localdate(now)
    ids = list(expired_participations(today=today, years=years).order_by("pk").values_list("pk", flat=True))
    deleted = []
    for participation_id in ids:
        row = participation_purge(participation_id=participation_id, today=today, now=now, years=years)
        if row is None:
            continue
        deleted.append(row)
        if report is not None:
            report.add(STEP, f"Teilnahme #{row.participation_id} (beendet am {row.closed_on:%d.%m.%Y})")
    return RetentionResult(cutoff=retention_cutoff(today, years), deleted=deleted)


def daily_step(*, now: dt.datetime, report) -> None:
    run_retention(now=now, report=report)
