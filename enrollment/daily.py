"""The daily run: everything that happens because a date passed (`manage.py enrollment_daily`).

Idempotent by construction: each step selects only rows whose state still needs the step
(a second run the same day finds nothing), and every step goes through the one service of
its transition, which writes the event row. Reminders are recorded as events, so they are
sent once per cancellation deadline. A dry run executes the same code inside a transaction
that is rolled back (mails are registered with `on_commit` and therefore never sent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from enrollment import services
from enrollment.lifecycle import (
    DOCTOR_CHANGE_STATUSES,
    STARTABLE_STATUSES,
    TERM_RUNNING_STATUSES,
    EnrollmentError,
    Status,
)
from enrollment.models import DoctorChangeRequest, Participation, RequestDecision


@dataclass
class DailyReport:
    day: dt.date
    dry_run: bool
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, step: str, line: str) -> None:
        self.counts[step] = self.counts.get(step, 0) + 1
        self.lines.append(f"{step}: {line}")


#: Steps of higher floors that run with the daily run, after the lifecycle steps: callables
#: `(now=, report=)`, registered in their AppConfig.ready() (backoffice: the retention
#: deletion, backoffice/retention.py). They run inside the dry-run transaction too.
EXTRA_STEPS: list = []


class _DryRunRollback(Exception):
    pass


def _run(step: str, report: DailyReport, label: str, func, **kwargs) -> None:
    try:
        with transaction.atomic():
            result = func(**kwargs)
    except EnrollmentError as error:
        report.errors.append(f"{step}: {label}: {error}")
        return
    if result is not False:
        report.add(step, label)


def _label(p: Participation) -> str:
    """The participation's number only: the output reaches the system journal (no KVNR, no name)."""
    return f"Teilnahme #{p.pk}"


def run_daily(*, now: dt.datetime, dry_run: bool = False) -> DailyReport:
    report = DailyReport(day=timezone.localdate(now), dry_run=dry_run)
    try:
        with transaction.atomic():
            _steps(now=now, report=report)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return report


def _steps(*, now: dt.datetime, report: DailyReport) -> None:
    today = report.day
    base = Participation.objects.select_related("person").order_by("pk")

    # 1. The revocation window closed (last day before today): submitted → awaiting_start.
    for p in base.filter(status=Status.SUBMITTED, revocation_deadline__lt=today):
        _run(
            "Widerrufsfrist abgelaufen",
            report,
            _label(p),
            services.participation_close_revocation_period,
            participation=p,
            now=now,
        )

    # 2. Start date reached: → active.
    for p in base.filter(status__in=STARTABLE_STATUSES, start_date__lte=today):
        _run("begonnen", report, _label(p), services.participation_start, participation=p, now=now)

    # 3. Approved doctor changes whose date arrived.
    changes = (
        DoctorChangeRequest.objects.filter(
            decision=RequestDecision.APPROVED,
            applied_at__isnull=True,
            effective_date__lte=today,
            participation__status__in=DOCTOR_CHANGE_STATUSES,
        )
        .select_related("participation__person")
        .order_by("pk")
    )
    for req in changes:
        _run(
            "Arztwechsel wirksam", report, _label(req.participation), services.doctor_change_apply, request=req, now=now
        )

    # 4. Cancellation deadline passed without cancellation: renew (or, without renewal,
    #    end when the term is over).
    renewable = base.filter(status__in=TERM_RUNNING_STATUSES, cancel_by__lt=today).filter(
        contract__renewal_months__gt=0
    )
    for p in renewable:
        _run("verlängert", report, _label(p), services.participation_renew, participation=p, now=now)
    for p in base.filter(status=Status.ACTIVE, term_end__lt=today).filter(
        Q(contract__renewal_months=0) | Q(cancel_by__isnull=True)
    ):
        _run(
            "Laufzeit abgelaufen",
            report,
            _label(p),
            services.participation_end,
            participation=p,
            now=now,
            end_date=p.term_end,
            reason_code="term_expired",
        )

    # 5. Cancelled participations whose last day has passed: ending → ended.
    for p in base.filter(status=Status.ENDING, end_date__lt=today):
        _run("beendet", report, _label(p), services.participation_end, participation=p, now=now)

    # 6. Reminders 6 weeks before the last day for a cancellation (once per deadline).
    window_start = today
    window_end = today + services.REMINDER_BEFORE
    for p in base.filter(
        status__in=TERM_RUNNING_STATUSES,
        cancel_by__gte=window_start,
        cancel_by__lte=window_end,
        contract__renewal_months__gt=0,
    ):
        _run(
            "Erinnerung", report, _label(p), services.participation_send_cancellation_reminder, participation=p, now=now
        )

    # 7. Steps of other apps (the retention deletion).
    for step in EXTRA_STEPS:
        step(now=now, report=report)
