"""Selector: participation figures of a fund's care programs for a report year, from the
portal's own data (`enrollment.Participation`). Reads only; two queries.

Definitions (shown in the report next to the figures):
- participants at year end: started on or before 31 December and not ended before it,
  never revoked or rejected (a revocation voids a participation from the start);
- new declarations: declarations received in the year (drafts excluded);
- revocations: revocations within the revocation window dispatched in the year;
- cancellations: cancellations (ordinary or for an important reason) made in the year;
- endings: participations whose last day lies in the year.
Year boundaries are those of Europe/Berlin.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from enrollment.lifecycle import ENDING_STATUSES, STARTED_STATUSES, Status

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class ProgramRow:
    program_id: int
    title: str
    program_type: str
    participants: int
    declarations: int
    revocations: int
    cancellations: int
    endings: int


@dataclass(frozen=True)
class LandRow:
    land_code: str
    land_name: str
    participants: int


@dataclass
class ProgramParticipation:
    available: bool  # False when the enrollment app has no participation model
    programs: list[ProgramRow] = field(default_factory=list)
    lands: list[LandRow] = field(default_factory=list)

    @property
    def total_participants(self) -> int:
        return sum(p.participants for p in self.programs)


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime, dt.date]:
    start = dt.datetime(year, 1, 1, tzinfo=BERLIN)
    end = dt.datetime(year + 1, 1, 1, tzinfo=BERLIN)
    return start, end, dt.date(year, 12, 31)


def program_participation(*, fund_id: int, year: int) -> ProgramParticipation:
    """Per program of the fund (contracts of the fund) and per Land of residence."""
    try:
        from enrollment.models import Participation
    except ImportError:  # pragma: no cover - only before the enrollment issue landed
        return ProgramParticipation(available=False)

    start, end, last_day = _year_bounds(year)
    at_year_end = Q(status__in=STARTED_STATUSES, start_date__lte=last_day) & (
        Q(end_date__isnull=True) | Q(end_date__gte=last_day)
    )
    declared = Q(declared_at__gte=start, declared_at__lt=end) & ~Q(status=Status.DRAFT)
    revoked = Q(revoked_at__gte=start, revoked_at__lt=end)
    cancelled = Q(cancelled_at__gte=start, cancelled_at__lt=end)
    ended = Q(status__in=ENDING_STATUSES, end_date__year=year)
    base = Participation.objects.filter(contract__fund_id=fund_id).filter(
        at_year_end | declared | revoked | cancelled | ended
    )

    rows = (
        base.values("program_id", "program__title", "program_type")
        .annotate(
            participants=Count("pk", filter=at_year_end),
            declarations=Count("pk", filter=declared),
            revocations=Count("pk", filter=revoked),
            cancellations=Count("pk", filter=cancelled),
            endings=Count("pk", filter=ended),
        )
        .order_by("program__title")
    )
    programs = [
        ProgramRow(
            program_id=r["program_id"],
            title=r["program__title"],
            program_type=r["program_type"],
            participants=r["participants"],
            declarations=r["declarations"],
            revocations=r["revocations"],
            cancellations=r["cancellations"],
            endings=r["endings"],
        )
        for r in rows
    ]
    lands = [
        LandRow(land_code=r["person__land_id"], land_name=r["person__land__name"], participants=r["n"])
        for r in base.filter(at_year_end)
        .values("person__land_id", "person__land__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "person__land__name")
    ]
    return ProgramParticipation(available=True, programs=programs, lands=lands)
