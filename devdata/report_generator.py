"""Report data generator: the published AOK PLUS 2023 figures, plausible variants, and writers
for both CSV formats (docs/report-data.md).

The data of a fund-year is held as rollup cells (`FundYearData`). The pre-aggregated writer
prints the cells; the case-level writer expands every cell into exactly `count` rows whose
processing days sum to the cell's `days` and of which exactly `in_time` are decided within
§13(3a) SGB V. Hence both formats import to identical rollups (tests/reports/test_imports.py
proves it on a small sample, bench/reports.py at full scale).

`aok_plus_2023()` reproduces every figure the published report prints (see
docs/report-data.md for the figures it does not print and the values chosen for them).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

from reports.models import (
    CATEGORY_TOKENS,
    DEADLINE_DAYS,
    DEADLINE_DAYS_WITH_EXPERT,
    OUTCOME_TOKENS,
    Category,
    ComplaintChannel,
    ComplaintTopic,
    Outcome,
    RemedyOutcome,
)

MAX_DAYS = 300  # longest processing time the generator writes (decisions stay within the next year)


@dataclass(frozen=True)
class AppCell:
    category: int
    branch: str
    outcome: str
    expert: bool
    count: int
    days: int  # sum of processing days of the decided rows
    in_time: int  # KV decisions within 21 (35 with expert opinion) days


@dataclass(frozen=True)
class RemedyCell:
    kind: str
    branch: str
    outcome: str  # "" = pending
    received: int  # received in the year (outcome as of export)
    settled: int  # settled in the year


@dataclass
class FundYearData:
    year: int
    average_insured: int
    average_sick_pay_members: int
    applications: list[AppCell]
    remedies: list[RemedyCell]
    treatment_errors: tuple[int, int, int]  # cases, expert opinions, confirmed
    complaints: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def application_count(self) -> int:
        return sum(c.count for c in self.applications)


@dataclass(frozen=True)
class CategoryPlan:
    """One category's published or chosen figures, split into cells by `cells_from_plan`."""

    category: int
    branch: str
    approved: int
    rejected: int
    days: int  # over all decided rows
    other: int = 0
    expert_share: Fraction = Fraction(0)
    late_share: Fraction = Fraction(0)


def _split(total: int, weights: list[int | Fraction]) -> list[int]:
    """Integers proportional to `weights` that add up to `total` (largest remainder)."""
    weight_sum = sum(weights)
    if not weight_sum:
        return [0] * len(weights)
    exact = [Fraction(total) * w / weight_sum for w in weights]
    floors = [e.numerator // e.denominator for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: total - sum(floors)]:
        floors[i] += 1
    return floors


def _limit(expert: bool) -> int:
    return DEADLINE_DAYS_WITH_EXPERT if expert else DEADLINE_DAYS


def feasible_in_time(*, branch: str, outcome: str, expert: bool, count: int, days: int, wanted_late: int) -> int:
    """The number of in-time decisions closest to `count - wanted_late` that the day sum allows:
    late rows need more than the limit, in-time rows at most the limit, no row more than MAX_DAYS."""
    if branch != "KV" or outcome == Outcome.PENDING or count == 0:
        return 0
    limit = _limit(expert)
    lowest_late = max(0, -(-(days - count * limit) // (MAX_DAYS - limit)))
    highest_late = min(count, days // (limit + 1))
    if lowest_late > highest_late:
        raise ValueError(f"no day split fits {count} rows with {days} days")
    return count - min(max(wanted_late, lowest_late), highest_late)


def cells_from_plan(plan: CategoryPlan) -> list[AppCell]:
    """Split a category into (outcome × expert opinion) cells; expert cases weigh double in days."""
    outcomes = [(Outcome.APPROVED, plan.approved), (Outcome.REJECTED, plan.rejected), (Outcome.OTHER, plan.other)]
    parts: list[tuple[str, bool, int]] = []
    for outcome, n in outcomes:
        if not n:
            continue
        expert_n = _split(n, [plan.expert_share, 1 - plan.expert_share])[0]
        parts += [(outcome, True, expert_n), (outcome, False, n - expert_n)]
    parts = [p for p in parts if p[2]]
    day_parts = _split(plan.days, [n * (2 if expert else 1) for _, expert, n in parts])
    cells = []
    for (outcome, expert, n), days in zip(parts, day_parts, strict=True):
        late = round(n * plan.late_share)
        in_time = feasible_in_time(
            branch=plan.branch, outcome=outcome, expert=expert, count=n, days=days, wanted_late=late
        )
        cells.append(AppCell(plan.category, plan.branch, outcome, expert, n, days, in_time))
    return cells


def _remedy_cells(kind: str, branch: str, received: int, settled: dict[str, int]) -> list[RemedyCell]:
    """Most settled cases were also received in the year (80 %); the rest of the received ones are pending."""
    cells = []
    received_and_settled = 0
    for outcome, n in settled.items():
        both = n * 4 // 5
        received_and_settled += both
        cells.append(RemedyCell(kind, branch, outcome, both, n))
    if received < received_and_settled:
        raise ValueError("more received-and-settled than received")
    cells.append(RemedyCell(kind, branch, "", received - received_and_settled, 0))
    return cells


C = Category
W, S, N, X = RemedyOutcome.WITHDRAWN, RemedyOutcome.SUCCESS, RemedyOutcome.NO_SUCCESS, RemedyOutcome.OTHER

#: AOK PLUS 2023: the published counts (approved/rejected per TOP benefit, totals, average
#: processing days) with chosen sub-kind sizes for what the report does not print.
AOK_PLUS_2023_PLANS: tuple[CategoryPlan, ...] = (
    # Krankengeld: 198.004 closed cases, 1,3 days (257.405 / 198.004 = 1,29999…)
    CategoryPlan(C.KRANKENGELD, "KV", approved=198_004, rejected=0, days=257_405),
    # Zahnersatz 292.883 = 242.830 approved + 50.053 rejected; Heil- und Kostenplan 4,8 days
    CategoryPlan(
        C.ZAHNERSATZ_HKP,
        "KV",
        221_800,
        46_600,
        days=1_288_320,
        expert_share=Fraction(4, 100),
        late_share=Fraction(1, 100),
    ),
    CategoryPlan(C.ZAHNERSATZ_SONSTIGE, "KV", 21_030, 3_453, days=151_795, late_share=Fraction(2, 100)),
    # Feststellung der Pflegebedürftigkeit 75.217 = 60.382 + 14.730 + 105 other; Erstantrag 30,9 days
    CategoryPlan(C.PFLEGEGRAD_ERSTANTRAG, "PV", 31_900, 9_040, other=60, days=1_266_900, expert_share=Fraction(1)),
    CategoryPlan(C.PFLEGEGRAD_HOEHERSTUFUNG, "PV", 28_482, 5_690, other=45, days=841_738, expert_share=Fraction(1)),
    # Rehabilitation/Vorsorge 85.317 = 75.734 + 9.583; stationär 17,7, Mutter-/Vater-Kind 18,1, Badekur 1,3 days
    CategoryPlan(
        C.REHA_STATIONAER,
        "KV",
        46_000,
        6_000,
        days=920_400,
        expert_share=Fraction(35, 100),
        late_share=Fraction(8, 100),
    ),
    CategoryPlan(
        C.REHA_AMBULANT, "KV", 12_600, 1_717, days=220_482, expert_share=Fraction(25, 100), late_share=Fraction(6, 100)
    ),
    CategoryPlan(
        C.REHA_MUTTER_VATER_KIND,
        "KV",
        10_300,
        1_700,
        days=217_200,
        expert_share=Fraction(20, 100),
        late_share=Fraction(10, 100),
    ),
    CategoryPlan(C.REHA_BADEKUR, "KV", 6_834, 166, days=9_100),
    # Hilfsmittel 3.537.773 = 3.386.618 + 151.155; Pflegebetten 12,0, Inkontinenz 0,0, CPAP 0,0 days
    CategoryPlan(
        C.HILFSMITTEL_PFLEGEBETT,
        "KV",
        44_900,
        1_600,
        days=558_000,
        expert_share=Fraction(5, 100),
        late_share=Fraction(3, 100),
    ),
    CategoryPlan(C.HILFSMITTEL_INKONTINENZ, "KV", 60_500, 700, days=0),
    CategoryPlan(C.HILFSMITTEL_CPAP, "KV", 18_300, 100, days=0),
    CategoryPlan(
        C.HILFSMITTEL_SONSTIGE,
        "KV",
        3_262_918,
        148_755,
        days=21_834_707,
        expert_share=Fraction(3, 100),
        late_share=Fraction(2, 100),
    ),
    # weitere Pflegeleistungen: Kurzzeitpflege 3,8, Verhinderungspflege 4,7 days
    CategoryPlan(C.PFLEGE_KURZZEITPFLEGE, "PV", 56_260, 1_740, days=220_400),
    CategoryPlan(C.PFLEGE_VERHINDERUNGSPFLEGE, "PV", 93_120, 2_880, days=451_200),
    CategoryPlan(C.PFLEGE_SONSTIGE, "PV", 548_003, 22_780, days=3_367_620),
    # everything else; totals 14.728.656 = 14.128.630 approved + 599.921 rejected + 105 other
    CategoryPlan(
        C.SONSTIGE,
        "KV",
        9_467_679,
        347_000,
        days=31_406_973,
        expert_share=Fraction(1, 100),
        late_share=Fraction(15, 1000),
    ),
)

AOK_PLUS_2023_REMEDIES = (
    ("objection", "KV", 18_360, {W: 2_291, S: 8_447, N: 5_576, X: 974}),
    ("lawsuit", "KV", 458, {W: 165, S: 72, N: 142, X: 32}),
    ("objection", "PV", 12_482, {W: 3_280, S: 5_095, N: 2_542, X: 325}),
    ("lawsuit", "PV", 205, {W: 60, S: 59, N: 32, X: 48}),
)

# The published report prints no complaint figures; these are plausible, clearly invented.
COMPLAINT_WEIGHTS: dict[tuple[str, str], int] = {
    (channel, topic): weight_c * weight_t
    for channel, weight_c in (
        (ComplaintChannel.BRANCH, 22),
        (ComplaintChannel.PHONE, 35),
        (ComplaintChannel.FORM, 14),
        (ComplaintChannel.PORTAL, 16),
        (ComplaintChannel.SOCIAL, 3),
        (ComplaintChannel.LETTER, 10),
    )
    for topic, weight_t in (
        (ComplaintTopic.BENEFIT, 45),
        (ComplaintTopic.SERVICE, 30),
        (ComplaintTopic.CONTRIBUTION, 15),
        (ComplaintTopic.OTHER, 10),
    )
}


def _complaints(total: int) -> dict[tuple[str, str], int]:
    keys = list(COMPLAINT_WEIGHTS)
    return dict(zip(keys, _split(total, [COMPLAINT_WEIGHTS[k] for k in keys]), strict=True))


def aok_plus_2023() -> FundYearData:
    """The AOK PLUS 2023 report as data (published figures; chosen values documented)."""
    applications = [cell for plan in AOK_PLUS_2023_PLANS for cell in cells_from_plan(plan)]
    remedies = [
        cell
        for kind, branch, received, settled in AOK_PLUS_2023_REMEDIES
        for cell in _remedy_cells(kind, branch, received, settled)
    ]
    data = FundYearData(
        year=2023,
        average_insured=3_510_000,  # "über 3,5 Millionen"; 1.856 cases → 53 and 972 opinions → 28 per 100.000
        average_sick_pay_members=1_587_330,  # 198.004 cases = 12.474 per 100.000 members entitled to sick pay
        applications=applications,
        remedies=remedies,
        treatment_errors=(1_856, 972, 191),
        complaints=_complaints(11_240),
    )
    assert data.application_count == 14_728_656
    assert sum(c.count for c in applications if c.outcome == Outcome.APPROVED) == 14_128_630
    assert sum(c.count for c in applications if c.outcome != Outcome.APPROVED) == 600_026
    assert sum(c.count for c in applications if c.branch == "PV") == 800_000
    return data


def scaled(base: FundYearData, *, year: int, factor: float, seed: int, insured: int | None = None) -> FundYearData:
    """A plausible fund-year derived from `base`: volumes × `factor` with ±6 % noise per cell,
    processing times ±8 %, remedies and complaints ±10 %. Deterministic for a seed."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    applications = []
    for cell in base.applications:
        count = max(1, round(cell.count * factor * rng.uniform(0.94, 1.06)))
        days = round(cell.days * count / cell.count * rng.uniform(0.92, 1.08)) if cell.count else 0
        wanted_late = round((cell.count - cell.in_time) * count / cell.count) if cell.count else 0
        in_time = feasible_in_time(
            branch=cell.branch,
            outcome=cell.outcome,
            expert=cell.expert,
            count=count,
            days=days,
            wanted_late=wanted_late,
        )
        applications.append(replace(cell, count=count, days=days, in_time=in_time))

    def keep(value: int, noise: float) -> int:
        """Scaled, but a count that exists in `base` stays at least 1 (small samples)."""
        return max(1, round(value * factor * noise)) if value else 0

    remedies = []
    for cell in base.remedies:
        noise = rng.uniform(0.9, 1.1)
        remedies.append(replace(cell, received=keep(cell.received, noise), settled=keep(cell.settled, noise)))
    cases, opinions, confirmed = base.treatment_errors
    noise = rng.uniform(0.9, 1.1)
    cases, opinions = keep(cases, noise), keep(opinions, noise)
    confirmed = min(opinions, keep(confirmed, rng.uniform(0.85, 1.15)))
    return FundYearData(
        year=year,
        average_insured=insured or round(base.average_insured * factor),
        average_sick_pay_members=round(base.average_sick_pay_members * factor * rng.uniform(0.97, 1.03)),
        applications=applications,
        remedies=remedies,
        treatment_errors=(cases, opinions, confirmed),
        complaints={k: keep(v, rng.uniform(0.9, 1.1)) for k, v in base.complaints.items()},
    )


def sample(base: FundYearData, *, rows: int, seed: int = 7) -> FundYearData:
    """A small fund-year with about `rows` application rows (for case-level tests)."""
    return scaled(
        base,
        year=base.year,
        factor=rows / base.application_count,
        seed=seed,
        insured=max(1000, round(base.average_insured * rows / base.application_count)),
    )


# --- case-level expansion --------------------------------------------------------------------------


def _spread(total: int, m: int, lo: int, hi: int) -> Iterator[int]:
    """`m` integers in [lo, hi] summing to `total`, with a little pairwise jitter."""
    if m == 0:
        return
    base, extra = divmod(total, m)
    if not (lo <= base and base + (1 if extra else 0) <= hi):
        raise ValueError(f"cannot spread {total} over {m} rows within [{lo}, {hi}]")
    jmax = max(0, min(6, hi - base - 1, base - lo))
    for k in range(m):
        value = base + (1 if k < extra else 0)
        if jmax and (k | 1) < m:
            jitter = ((k >> 1) * 7) % (jmax + 1)
            value += jitter if k % 2 == 0 else -jitter
        yield value


def _cell_days(cell: AppCell) -> Iterator[int]:
    """Processing days of a cell's rows: `in_time` rows within the limit, the rest beyond it."""
    if cell.outcome == Outcome.PENDING:
        return
    if cell.branch != "KV":
        yield from _spread(cell.days, cell.count, 0, MAX_DAYS)
        return
    limit = _limit(cell.expert)
    late = cell.count - cell.in_time
    late_days = min(max(late * (limit + 8), late * (limit + 1)), late * MAX_DAYS)
    in_days = cell.days - late_days
    if in_days > cell.in_time * limit:
        late_days += in_days - cell.in_time * limit
        in_days = cell.in_time * limit
    if in_days < 0:
        late_days, in_days = cell.days, 0
    yield from _spread(in_days, cell.in_time, 0, limit)
    yield from _spread(late_days, late, limit + 1, MAX_DAYS)


def _date_strings(year: int, days: int) -> list[str]:
    start = date(year, 1, 1)
    return [(start + timedelta(days=i)).isoformat() for i in range(days)]


def iter_application_lines(data: FundYearData, delimiter: str = ";") -> Iterator[str]:
    """The case-level CSV lines (without header) for `data.applications`."""
    year_days = (date(data.year + 1, 1, 1) - date(data.year, 1, 1)).days
    dates = _date_strings(data.year, year_days + MAX_DAYS + 1)
    d = delimiter
    position = 0
    for cell in data.applications:
        prefix = (
            f"{CATEGORY_TOKENS[cell.category]}{d}{cell.branch}{d}{OUTCOME_TOKENS[cell.outcome]}{d}{int(cell.expert)}\n"
        )
        if cell.outcome == Outcome.PENDING:
            for _ in range(cell.count):
                position = (position + 37) % year_days
                yield f"{dates[position]}{d}{d}{prefix}"
            continue
        for days in _cell_days(cell):
            position = (position + 37) % year_days
            yield f"{dates[position]}{d}{dates[position + days]}{d}{prefix}"


def iter_remedy_rows(data: FundYearData) -> Iterator[tuple[str, str, str, str, str]]:
    y = data.year
    for i, cell in enumerate(data.remedies):
        both = min(cell.received, cell.settled)
        for k in range(cell.received):
            received = date(y, 1, 1) + timedelta(days=(k * 13 + i) % 300)
            if k < both:
                settled = received + timedelta(days=20 + k % 40)
                yield (cell.kind, cell.branch, received.isoformat(), settled.isoformat(), cell.outcome)
            elif cell.outcome:
                yield (
                    cell.kind,
                    cell.branch,
                    received.isoformat(),
                    date(y + 1, 2, 1 + k % 27).isoformat(),
                    cell.outcome,
                )
            else:
                yield (cell.kind, cell.branch, received.isoformat(), "", "")
        for k in range(cell.settled - both):
            received = date(y - 1, 9, 1) + timedelta(days=k % 120)
            yield (cell.kind, cell.branch, received.isoformat(), date(y, 1, 15 + k % 14).isoformat(), cell.outcome)


def iter_treatment_error_rows(data: FundYearData) -> Iterator[tuple[str, int, int]]:
    cases, opinions, confirmed = data.treatment_errors
    per_case = _split(opinions, [1] * cases) if cases else []
    with_opinions = [i for i, n in enumerate(per_case) if n]
    confirmed_per_case = dict.fromkeys(with_opinions, 0)
    remaining = confirmed
    for i in with_opinions:  # fill from the front, at most the case's opinions
        take = min(remaining, per_case[i])
        confirmed_per_case[i] = take
        remaining -= take
    if remaining:
        raise ValueError("more confirmed than expert opinions")
    for i in range(cases):
        received = date(data.year, 1, 1) + timedelta(days=(i * 7) % 360)
        yield (received.isoformat(), per_case[i], confirmed_per_case.get(i, 0))


def iter_complaint_rows(data: FundYearData) -> Iterator[tuple[str, str, str]]:
    k = 0
    for (channel, topic), count in data.complaints.items():
        for _ in range(count):
            k += 1
            yield ((date(data.year, 1, 1) + timedelta(days=(k * 11) % 360)).isoformat(), channel, topic)


# --- writers -----------------------------------------------------------------------------------------


def _writer(path: Path):
    handle = path.open("w", encoding="utf-8", newline="")
    return handle, csv.writer(handle, delimiter=";", lineterminator="\n")


def write_base(data: FundYearData, directory: Path) -> Path:
    path = directory / "base.csv"
    handle, writer = _writer(path)
    with handle:
        writer.writerow(["average_insured", "average_sick_pay_members"])
        writer.writerow([data.average_insured, data.average_sick_pay_members])
    return path


def write_aggregated(data: FundYearData, directory: Path) -> list[Path]:
    """base.csv and the four *_aggregated.csv files."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [write_base(data, directory)]
    path = directory / "applications_aggregated.csv"
    handle, writer = _writer(path)
    with handle:
        writer.writerow(
            ["category", "branch", "outcome", "expert_opinion", "count", "processing_days_sum", "decided_in_time"]
        )
        for c in data.applications:
            writer.writerow(
                [
                    CATEGORY_TOKENS[c.category],
                    c.branch,
                    OUTCOME_TOKENS[c.outcome],
                    int(c.expert),
                    c.count,
                    c.days,
                    c.in_time,
                ]
            )
    paths.append(path)
    path = directory / "remedies_aggregated.csv"
    handle, writer = _writer(path)
    with handle:
        writer.writerow(["kind", "branch", "outcome", "received", "settled"])
        for r in data.remedies:
            writer.writerow([r.kind, r.branch, r.outcome, r.received, r.settled])
    paths.append(path)
    path = directory / "treatment_errors_aggregated.csv"
    handle, writer = _writer(path)
    with handle:
        writer.writerow(["cases", "expert_opinions", "confirmed"])
        writer.writerow(list(data.treatment_errors))
    paths.append(path)
    path = directory / "complaints_aggregated.csv"
    handle, writer = _writer(path)
    with handle:
        writer.writerow(["channel", "topic", "count"])
        for (channel, topic), count in data.complaints.items():
            writer.writerow([channel, topic, count])
    paths.append(path)
    return paths


def write_case_level(
    data: FundYearData, directory: Path, *, on_progress: Callable[[int], None] | None = None
) -> list[Path]:
    """base.csv and the four case-level files; applications.csv is streamed (15 million lines)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [write_base(data, directory)]
    path = directory / "applications.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("received;decided;category;branch;outcome;expert_opinion\n")
        chunk: list[str] = []
        written = 0
        for line in iter_application_lines(data):
            chunk.append(line)
            if len(chunk) >= 100_000:
                handle.write("".join(chunk))
                written += len(chunk)
                chunk = []
                if on_progress:
                    on_progress(written)
        handle.write("".join(chunk))
    paths.append(path)
    for name, header, rows in (
        ("remedies.csv", ["kind", "branch", "received", "settled", "outcome"], iter_remedy_rows(data)),
        ("treatment_errors.csv", ["received", "expert_opinions", "confirmed"], iter_treatment_error_rows(data)),
        ("complaints.csv", ["received", "channel", "topic"], iter_complaint_rows(data)),
    ):
        path = directory / name
        handle, writer = _writer(path)
        with handle:
            writer.writerow(header)
            writer.writerows(rows)
        paths.append(path)
    return paths
