"""The admin start page as a dashboard of the fund's open work: counts with links to the
filtered lists where the work is done. A fixed number of queries, whatever the volume:
one aggregate over the participations, one count per request kind, one for imports.
Only what the account may see (its fund, its permissions) is counted and shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from enrollment.lifecycle import Status
from enrollment.models import CancellationRequest, Channel, DoctorChangeRequest, Participation, RequestDecision
from programs.scoping import scope_to_fund
from programs.terms.deadlines import add_months
from reports.models import ImportRun

#: Participations still to come or running (not revoked, rejected or ended) start "this quarter".
STARTING = [Status.SUBMITTED, Status.AWAITING_DOCTOR, Status.AWAITING_START, Status.ACTIVE]
ENDING = [Status.ENDING, Status.ENDED]
PAPER = [Channel.PRACTICE, Channel.BRANCH]


@dataclass(frozen=True)
class WorkItem:
    label: str
    count: int
    url: str
    hint: str = ""


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first, add_months(first, 3) - dt.timedelta(days=1)


def _url(name: str, **params) -> str:
    url = reverse(f"admin:{name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def open_work(user, *, today: dt.date) -> list[WorkItem]:
    """The open work of `user`'s fund that `user` may see, in the order of the daily work."""
    items: list[WorkItem] = []
    first, last = quarter_of(today)
    span = f"{first:%d.%m.}–{last:%d.%m.%Y}"
    if user.has_perm("enrollment.view_participation"):
        counts = scope_to_fund(Participation.objects.all(), user, "contract__fund").aggregate(
            doctor=Count("pk", filter=Q(status=Status.AWAITING_DOCTOR)),
            paper=Count("pk", filter=Q(status=Status.SUBMITTED, channel__in=PAPER)),
            starting=Count("pk", filter=Q(start_date__range=(first, last), status__in=STARTING)),
            ending=Count("pk", filter=Q(end_date__range=(first, last), status__in=ENDING)),
        )
        name = "enrollment_participation"
        items += [
            WorkItem(
                _("DMP-Erklärungen warten auf die ärztliche Bestätigung"),
                counts["doctor"],
                _url(name, vorrat="doctor"),
            ),
            WorkItem(
                _("Papiererklärungen zu prüfen"),
                counts["paper"],
                _url(name, status__exact=Status.SUBMITTED, channel__in=",".join(PAPER)),
            ),
            WorkItem(
                _("Teilnahmen, die in diesem Quartal beginnen"),
                counts["starting"],
                _url(
                    name,
                    start_date__gte=first.isoformat(),
                    start_date__lte=last.isoformat(),
                    status__in=",".join(STARTING),
                ),
                span,
            ),
            WorkItem(
                _("Teilnahmen, die in diesem Quartal enden"),
                counts["ending"],
                _url(
                    name, end_date__gte=first.isoformat(), end_date__lte=last.isoformat(), status__in=",".join(ENDING)
                ),
                span,
            ),
        ]
    for model, label in (
        (DoctorChangeRequest, _("Anträge auf Arztwechsel zu entscheiden")),
        (CancellationRequest, _("Kündigungen aus wichtigem Grund zu entscheiden")),
    ):
        opts = model._meta
        if user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            count = scope_to_fund(
                model.objects.filter(decision=RequestDecision.PENDING), user, "participation__contract__fund"
            ).count()
            items.append(
                WorkItem(
                    label, count, _url(f"{opts.app_label}_{opts.model_name}", decision__exact=RequestDecision.PENDING)
                )
            )
    if user.has_perm("reports.view_importrun"):
        count = scope_to_fund(
            ImportRun.objects.filter(status=ImportRun.Status.FAILED), user, "report_year__fund"
        ).count()
        items.append(WorkItem(_("Fehlgeschlagene Importe"), count, _url("reports_importrun", status__exact="failed")))
    return items
