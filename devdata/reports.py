"""Demo report data (called by `seed_demo` through `devdata.catalogue.HOOKS`).

Years 2022 and 2023 for three AOKs, imported through the normal import path (pre-aggregated
CSV files written by `devdata.report_generator`):
- AOK PLUS 2023: the published figures of "Transparenz im Leistungsgeschehen 2023";
  AOK PLUS 2022: a plausible variant (slightly smaller volumes) — both published;
- AOK Baden-Württemberg 2022/2023: plausible, scaled to about 4.6 million insured, published;
- AOK Nordost 2022 published, 2023 generated but *not* published (visible only to AOK Nordost
  accounts: shows the access rule).

Idempotent: a report year that already has application rollups is left alone, so repeated
`make run`s neither re-import nor invalidate stored PDFs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TextIO

from django.utils import timezone

from devdata.key_figures import AOK_PLUS_2023, scaled_key_figures, write_key_figures
from devdata.report_generator import FundYearData, aok_plus_2023, scaled, write_aggregated
from programs.models import Fund
from reports.imports import import_stream
from reports.models import ApplicationRollup, KeyFigure
from reports.services import report_year_get_or_create, report_year_publish

PLAN: tuple[tuple[str, int, str, bool], ...] = (
    # fund slug, year, data, published
    ("aok-plus", 2022, "plus-2022", True),
    ("aok-plus", 2023, "plus-2023", True),
    ("aok-bw", 2022, "bw-2022", True),
    ("aok-bw", 2023, "bw-2023", True),
    ("aok-nordost", 2022, "nordost-2022", True),
    ("aok-nordost", 2023, "nordost-2023", False),
)


def demo_data(key: str) -> FundYearData:
    plus = aok_plus_2023()
    return {
        "plus-2023": lambda: plus,
        "plus-2022": lambda: scaled(plus, year=2022, factor=0.97, seed=2022, insured=3_534_000),
        "bw-2023": lambda: scaled(plus, year=2023, factor=1.31, seed=823, insured=4_598_000),
        "bw-2022": lambda: scaled(plus, year=2022, factor=1.28, seed=822, insured=4_571_000),
        "nordost-2023": lambda: scaled(plus, year=2023, factor=0.52, seed=1123, insured=1_826_000),
        "nordost-2022": lambda: scaled(plus, year=2022, factor=0.51, seed=1122, insured=1_812_000),
    }[key]()


#: key_figures.csv per demo data set: AOK PLUS 2023 as published, the others plausible variants.
DEMO_KEY_FIGURES = {
    "plus-2023": lambda: AOK_PLUS_2023,
    "plus-2022": lambda: scaled_key_figures(0.97, survey_shift=-1),
    "bw-2023": lambda: scaled_key_figures(1.31, survey_shift=-3),
    "bw-2022": lambda: scaled_key_figures(1.28, survey_shift=-2),
    "nordost-2023": lambda: scaled_key_figures(0.52, survey_shift=-5),
    "nordost-2022": lambda: scaled_key_figures(0.51, survey_shift=-4),
}


def seed_report_demo(stdout: TextIO) -> None:
    now = timezone.now()
    funds = {f.slug: f for f in Fund.objects.filter(slug__in={slug for slug, *_ in PLAN})}
    imported = []
    for slug, year, key, published in PLAN:
        fund = funds.get(slug)
        if fund is None:
            continue
        report_year = report_year_get_or_create(fund=fund, year=year)
        if not ApplicationRollup.objects.filter(report_year=report_year).exists():
            with tempfile.TemporaryDirectory() as tmp:
                for path in write_aggregated(demo_data(key), Path(tmp)):
                    with path.open("rb") as stream:
                        import_stream(report_year=report_year, stream=stream, now=now)
            imported.append(str(report_year))
        if not KeyFigure.objects.filter(report_year=report_year).exists():
            with tempfile.TemporaryDirectory() as tmp:
                path = write_key_figures(Path(tmp), DEMO_KEY_FIGURES[key]())
                with path.open("rb") as stream:
                    import_stream(report_year=report_year, stream=stream, now=now)
        if published and report_year.published_at is None:
            report_year_publish(report_year=report_year, now=now)
    if imported:
        stdout.write("  Transparenzberichte importiert: " + ", ".join(imported))
