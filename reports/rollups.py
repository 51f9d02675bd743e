"""Rollups: what the report reads instead of millions of case rows.

Case-level imports accumulate the rollup in Python while the file streams (one pass, the
same code on SQLite and PostgreSQL); pre-aggregated imports give the rollup rows directly.
Both end in `replace_family()`, which swaps a dataset family's case rows and rollup rows of
one report year in one transaction. `aggregate_cases()` recomputes a rollup from the stored
case rows with the ORM: tests use it to prove the invariant "rollup = aggregate(case rows)".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Count, F, Q, Sum

from reports.models import (
    DEADLINE_DAYS,
    DEADLINE_DAYS_WITH_EXPERT,
    Application,
    ApplicationRollup,
    Branch,
    Complaint,
    ComplaintRollup,
    LegalRemedy,
    Outcome,
    RemedyRollup,
    ReportYear,
    TreatmentErrorCase,
    TreatmentErrorRollup,
)


def decided_in_time(*, branch: str, outcome: str, expert_opinion: bool, processing_days: int | None) -> bool:
    """§13(3a) SGB V applies to KV applications: 3 weeks, 5 weeks with a medical expert opinion."""
    if branch != Branch.KV or outcome == Outcome.PENDING or processing_days is None:
        return False
    return processing_days <= (DEADLINE_DAYS_WITH_EXPERT if expert_opinion else DEADLINE_DAYS)


@dataclass(frozen=True)
class Family:
    """A case table and the rollup table fed from it (or from the pre-aggregated format)."""

    key: str
    case_model: type[models.Model]
    rollup_model: type[models.Model]


APPLICATIONS = Family("applications", Application, ApplicationRollup)
REMEDIES = Family("remedies", LegalRemedy, RemedyRollup)
TREATMENT_ERRORS = Family("treatment_errors", TreatmentErrorCase, TreatmentErrorRollup)
COMPLAINTS = Family("complaints", Complaint, ComplaintRollup)
FAMILIES = (APPLICATIONS, REMEDIES, TREATMENT_ERRORS, COMPLAINTS)


# --- accumulators: group key → list of counters ------------------------------------------------

ApplicationKey = tuple[int, str, str, bool]  # category, branch, outcome, expert_opinion
RemedyKey = tuple[str, str, str]  # kind, branch, outcome
ComplaintKey = tuple[str, str]  # channel, topic


def add_application(acc: dict, category: int, branch: str, outcome: str, expert: bool, days: int | None) -> None:
    """Count one case row; `acc[key] = [count, processing_days_sum, decided_in_time]`."""
    key = (category, branch, outcome, expert)
    cell = acc.get(key)
    if cell is None:
        cell = acc[key] = [0, 0, 0]
    cell[0] += 1
    if days is not None:
        cell[1] += days
        if branch == "KV" and days <= (DEADLINE_DAYS_WITH_EXPERT if expert else DEADLINE_DAYS):
            cell[2] += 1


def add_remedy(
    acc: dict, *, year: int, kind: str, branch: str, received: date, settled: date | None, outcome: str
) -> None:
    """`acc[key] = [received in year, settled in year]`."""
    key = (kind, branch, outcome)
    cell = acc.get(key)
    if cell is None:
        cell = acc[key] = [0, 0]
    if received.year == year:
        cell[0] += 1
    if settled is not None and settled.year == year:
        cell[1] += 1


def application_rollups(report_year: ReportYear, acc: dict) -> list[ApplicationRollup]:
    return [
        ApplicationRollup(
            report_year=report_year,
            category=category,
            branch=branch,
            outcome=outcome,
            expert_opinion=expert,
            count=count,
            processing_days_sum=days,
            decided_in_time=in_time,
        )
        for (category, branch, outcome, expert), (count, days, in_time) in sorted(acc.items())
        if count
    ]


def remedy_rollups(report_year: ReportYear, acc: dict) -> list[RemedyRollup]:
    return [
        RemedyRollup(
            report_year=report_year, kind=kind, branch=branch, outcome=outcome, received=received, settled=settled
        )
        for (kind, branch, outcome), (received, settled) in sorted(acc.items())
        if received or settled
    ]


def treatment_error_rollups(report_year: ReportYear, acc: dict) -> list[TreatmentErrorRollup]:
    if not acc:
        return []
    return [
        TreatmentErrorRollup(
            report_year=report_year, cases=acc["cases"], expert_opinions=acc["opinions"], confirmed=acc["confirmed"]
        )
    ]


def complaint_rollups(report_year: ReportYear, acc: dict) -> list[ComplaintRollup]:
    return [
        ComplaintRollup(report_year=report_year, channel=channel, topic=topic, count=count)
        for (channel, topic), count in sorted(acc.items())
        if count
    ]


def replace_rollups(report_year: ReportYear, family: Family, rows: Iterable[models.Model]) -> int:
    """Delete the family's rollup rows of the year and write `rows` (caller holds the transaction)."""
    family.rollup_model.objects.filter(report_year=report_year).delete()
    created = family.rollup_model.objects.bulk_create(list(rows))
    return len(created)


# --- recomputation from case rows (for checks and tests) -----------------------------------------


def aggregate_cases(report_year: ReportYear, family: Family) -> dict:
    """The rollup of the stored case rows, computed by the database (independent of the
    Python accumulators), in the accumulator's shape."""
    if family is APPLICATIONS:
        rows = (
            Application.objects.filter(report_year=report_year)
            .values("category", "branch", "outcome", "expert_opinion")
            .annotate(
                n=Sum("cases"),
                days=Sum(F("processing_days") * F("cases"), default=0),
                in_time=Sum(
                    "cases",
                    default=0,
                    filter=Q(branch=Branch.KV, processing_days__isnull=False)
                    & (
                        Q(expert_opinion=False, processing_days__lte=DEADLINE_DAYS)
                        | Q(expert_opinion=True, processing_days__lte=DEADLINE_DAYS_WITH_EXPERT)
                    ),
                ),
            )
        )
        return {
            (r["category"], r["branch"], r["outcome"], r["expert_opinion"]): [r["n"], r["days"], r["in_time"]]
            for r in rows
        }
    if family is REMEDIES:
        year = report_year.year
        rows = (
            LegalRemedy.objects.filter(report_year=report_year)
            .values("kind", "branch", "outcome")
            .annotate(
                received_n=Count("pk", filter=Q(received__year=year)),
                settled_n=Count("pk", filter=Q(settled__year=year)),
            )
        )
        return {
            (r["kind"], r["branch"], r["outcome"]): [r["received_n"], r["settled_n"]]
            for r in rows
            if r["received_n"] or r["settled_n"]
        }
    if family is TREATMENT_ERRORS:
        agg = TreatmentErrorCase.objects.filter(report_year=report_year).aggregate(
            cases=Count("pk"), opinions=Sum("expert_opinions", default=0), confirmed=Sum("confirmed", default=0)
        )
        return agg if agg["cases"] else {}
    rows = Complaint.objects.filter(report_year=report_year).values("channel", "topic").annotate(n=Count("pk"))
    return {(r["channel"], r["topic"]): r["n"] for r in rows}


def stored_rollups(report_year: ReportYear, family: Family) -> dict:
    """The stored rollup rows of a family in the accumulator's shape."""
    if family is APPLICATIONS:
        return {
            (r.category, r.branch, r.outcome, r.expert_opinion): [r.count, r.processing_days_sum, r.decided_in_time]
            for r in ApplicationRollup.objects.filter(report_year=report_year)
        }
    if family is REMEDIES:
        return {
            (r.kind, r.branch, r.outcome): [r.received, r.settled]
            for r in RemedyRollup.objects.filter(report_year=report_year)
        }
    if family is TREATMENT_ERRORS:
        row = TreatmentErrorRollup.objects.filter(report_year=report_year).first()
        return {"cases": row.cases, "opinions": row.expert_opinions, "confirmed": row.confirmed} if row else {}
    return {(r.channel, r.topic): r.count for r in ComplaintRollup.objects.filter(report_year=report_year)}
