"""Selector: participation figures of a fund's care programs for a report year, from the
portal's own data (`enrollment.Participation`, plus the counts `enrollment.RetainedCount` keeps
of participations deleted after the retention period). Reads only; three queries.

Definitions (shown in the report next to the figures):
- participants at year end: started on or before 31 December and not ended before it,
  never revoked or rejected (a revocation voids a participation from the start);
- new declarations: declarations received in the year (drafts excluded);
- revocations: revocations within the revocation window dispatched in the year;
- cancellations: cancellations (ordinary or for an important reason) made in the year;
- endings: participations whose last day lies in the year.
Year boundaries are those of Europe/Berlin.

`program_participation` gives the exact counts; reports show them only through
`published_participation`, which hides small numbers (`reports.suppression`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from enrollment.lifecycle import ENDING_STATUSES, STARTED_STATUSES, Status
from reports.formatting import largest_remainder
from reports.suppression import Hidden, hide_column, hide_rows, threshold

BERLIN = ZoneInfo("Europe/Berlin")


COUNTS = ("participants", "declarations", "revocations", "cancellations", "endings")


@dataclass(frozen=True)
class ProgramRow:
    program_id: int
    title: str
    program_type: str
    participants: int | Hidden
    declarations: int | Hidden
    revocations: int | Hidden
    cancellations: int | Hidden
    endings: int | Hidden


@dataclass(frozen=True)
class LandRow:
    land_code: str
    land_name: str
    participants: int | Hidden
    share: object = None  # percent of all participants (Decimal), set by `published_participation`


@dataclass
class ProgramParticipation:
    available: bool  # False when the enrollment app has no participation model
    programs: list[ProgramRow] = field(default_factory=list)
    lands: list[LandRow] = field(default_factory=list)
    totals: dict[str, int | Hidden] = field(default_factory=dict)  # set when small numbers are hidden

    def total(self, name: str) -> int | Hidden:
        """The column total over all programs (exact, or hidden when small)."""
        if name in self.totals:
            return self.totals[name]
        return sum(getattr(p, name) for p in self.programs)

    @property
    def total_participants(self) -> int | Hidden:
        return self.total("participants")

    @property
    def hides_numbers(self) -> bool:
        return any(isinstance(v, Hidden) for row in self.programs for v in (getattr(row, n) for n in COUNTS)) or any(
            isinstance(land.participants, Hidden) for land in self.lands
        )


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
    by_program = {r["program_id"]: {**r, "title": r["program__title"]} for r in rows}
    by_land = {
        r["person__land_id"]: {"name": r["person__land__name"], "n": r["n"]}
        for r in base.filter(at_year_end).values("person__land_id", "person__land__name").annotate(n=Count("pk"))
    }
    _add_retained(by_program, by_land, fund_id=fund_id, year=year)
    programs = [
        ProgramRow(
            program_id=program_id,
            title=r["title"],
            program_type=r["program_type"],
            participants=r["participants"],
            declarations=r["declarations"],
            revocations=r["revocations"],
            cancellations=r["cancellations"],
            endings=r["endings"],
        )
        for program_id, r in sorted(by_program.items(), key=lambda item: _title_key(item[1]["title"]))
    ]
    lands = [
        LandRow(land_code=code, land_name=r["name"], participants=r["n"])
        for code, r in sorted(by_land.items(), key=lambda item: (-item[1]["n"], _title_key(item[1]["name"])))
        if r["n"]
    ]
    return ProgramParticipation(available=True, programs=programs, lands=lands)


def _title_key(text: str) -> str:
    """Alphabetical as in German lists: umlauts with their base letter, case ignored."""
    return text.casefold().translate(_FOLD)


_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def _add_retained(by_program: dict, by_land: dict, *, fund_id: int, year: int) -> None:
    """Add the counts of participations deleted after the retention period
    (`enrollment.RetainedCount`, backoffice/retention.py): past years keep their figures."""
    from enrollment.models import RetainedCount, RetainedMeasure

    retained = RetainedCount.objects.filter(fund_id=fund_id, year=year).values(
        "program_id", "program__title", "program_type", "land_id", "land__name", "measure", "count"
    )
    for r in retained:
        row = by_program.setdefault(
            r["program_id"],
            {"title": r["program__title"], "program_type": r["program_type"], **dict.fromkeys(COUNTS, 0)},
        )
        row[r["measure"]] += r["count"]
        if r["measure"] == RetainedMeasure.PARTICIPANTS:
            land = by_land.setdefault(r["land_id"], {"name": r["land__name"], "n": 0})
            land["n"] += r["count"]


def published_participation(*, fund_id: int, year: int) -> ProgramParticipation:
    """`program_participation` as reports show it: small numbers hidden with their totals,
    rates and shares taken into account (`reports.suppression`)."""
    exact = program_participation(fund_id=fund_id, year=year)
    if not exact.available:
        return exact
    limit = threshold()
    totals = {name: exact.total(name) for name in COUNTS}
    programs, shown_totals = hide_rows(exact.programs, COUNTS, totals, limit)
    counts = [land.participants for land in exact.lands]
    shares = largest_remainder(counts) if counts else []
    land_cells, _total = hide_column(counts, totals["participants"], limit)
    lands = [
        LandRow(
            land_code=land.land_code,
            land_name=land.land_name,
            participants=cell,
            share=cell if isinstance(cell, Hidden) else share,
        )
        for land, cell, share in zip(exact.lands, land_cells, shares, strict=True)
    ]
    return ProgramParticipation(available=True, programs=programs, lands=lands, totals=shown_totals)
