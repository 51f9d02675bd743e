"""Fixtures of the report tests: report years filled through the real import path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reports.generator import FundYearData, aok_plus_2023, sample, write_aggregated, write_case_level
from reports.imports import import_stream
from reports.keyfigures import write_key_figures
from reports.models import ReportYear
from reports.services import report_year_get_or_create, report_year_publish
from tests.browser.conftest import assert_no_axe_violations, browser, page, page_nojs  # noqa: F401 - browser fixtures
from tests.enrollment.conftest import bv  # noqa: F401 - the BV contract fixture of the enrollment tests
from tests.factories import StaffMembershipFactory, UserFactory

NOW = dt.datetime(2024, 9, 30, 12, 0, tzinfo=dt.UTC)


def import_files(report_year: ReportYear, paths: list[Path]) -> None:
    for path in paths:
        with path.open("rb") as stream:
            import_stream(report_year=report_year, stream=stream, now=NOW)
    report_year.refresh_from_db()


def load(report_year: ReportYear, data: FundYearData, directory: Path, *, case_level: bool = False) -> ReportYear:
    writer = write_case_level if case_level else write_aggregated
    import_files(report_year, writer(data, directory))
    return report_year


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Stored PDFs and uploads go to a temporary directory, not the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def plus_data() -> FundYearData:
    return aok_plus_2023()


@pytest.fixture
def plus_2023(aoks, plus_data, tmp_path) -> ReportYear:
    """AOK PLUS 2023 with exactly the published figures (pre-aggregated import), published."""
    report_year = report_year_get_or_create(fund=aoks["aok-plus"], year=2023)
    load(report_year, plus_data, tmp_path / "plus2023")
    import_files(report_year, [write_key_figures(tmp_path / "plus2023")])
    return report_year_publish(report_year=report_year, now=NOW)


@pytest.fixture
def small_data(plus_data) -> FundYearData:
    """About 3,000 application rows with the structure of AOK PLUS 2023."""
    return sample(plus_data, rows=3000, seed=11)


@pytest.fixture
def bw_2023(aoks, small_data, tmp_path) -> ReportYear:
    """AOK Baden-Württemberg 2023, small generated data, NOT published."""
    report_year = report_year_get_or_create(fund=aoks["aok-bw"], year=2023)
    return load(report_year, small_data, tmp_path / "bw2023")


@pytest.fixture
def plus_analyst(aoks):
    return StaffMembershipFactory(fund=aoks["aok-plus"], role="analyst", user__username="analyse.test").user


@pytest.fixture
def plus_staff(aoks):
    return StaffMembershipFactory(fund=aoks["aok-plus"], role="staff", user__username="sb.plus.test").user


@pytest.fixture
def bw_staff(aoks):
    return StaffMembershipFactory(fund=aoks["aok-bw"], role="staff", user__username="sb.bw.test").user


@pytest.fixture
def superuser(db):
    return UserFactory(username="root.test", is_staff=True, is_superuser=True)
