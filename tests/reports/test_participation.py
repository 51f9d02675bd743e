"""Figures about the portal's own programs (reports.participation), driven through the
enrollment services: participants at year end, declarations, revocations, cancellations,
endings, per 100,000 insured and by Land."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment import services
from reports.figures import compute_report
from reports.participation import program_participation
from reports.services import report_year_get_or_create
from reports.tables import report_tables
from tests.factories import InsuredPersonFactory
from tests.fixtures.enrollment import at, declare
from tests.fixtures.reports import import_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def participations_2023(bv):
    """Four people in "Rücken aktiv" (AOK BW, starts the next day, 12 months binding)."""
    active, revoked, cancelling, ending = (InsuredPersonFactory() for _ in range(4))
    p = declare(bv, active, now=at(2023, 3, 1), notify=False)
    services.participation_start(participation=p, now=at(2023, 3, 2))

    p = declare(bv, revoked, now=at(2023, 5, 1), notify=False)
    services.participation_revoke(participation=p, actor=revoked.user, now=at(2023, 5, 5))

    p = declare(bv, cancelling, now=at(2023, 2, 1), notify=False)
    services.participation_start(participation=p, now=at(2023, 2, 2))
    p = services.participation_cancel(participation=p, actor=cancelling.user, now=at(2023, 6, 1))
    assert p.end_date > dt.date(2023, 12, 31)  # still taking part on 31 December

    p = declare(bv, ending, now=at(2022, 1, 10), notify=False)
    services.participation_start(participation=p, now=at(2022, 1, 11))
    p = services.participation_cancel(participation=p, actor=ending.user, now=at(2022, 6, 1))
    services.participation_end(participation=p, now=at(p.end_date.year, p.end_date.month, p.end_date.day + 1))
    return bv


def test_program_participation_counts_by_definition(participations_2023, aoks, django_assert_num_queries):
    with django_assert_num_queries(2):
        figures = program_participation(fund_id=aoks["aok-bw"].pk, year=2023)
    (row,) = figures.programs
    assert row.title == "Rücken aktiv"
    assert (row.participants, row.declarations, row.revocations, row.cancellations, row.endings) == (2, 3, 1, 1, 1)
    assert [(land.land_code, land.participants) for land in figures.lands] == [("BW", 2)]
    # another fund's programs are not counted
    assert program_participation(fund_id=aoks["aok-plus"].pk, year=2023).programs == []
    # 2022: one active at year end (the one that ended in January 2023)
    (row_2022,) = program_participation(fund_id=aoks["aok-bw"].pk, year=2022).programs
    assert (row_2022.participants, row_2022.declarations, row_2022.cancellations) == (1, 1, 1)


def test_report_shows_program_participation_per_100000_insured(participations_2023, aoks, tmp_path):
    report_year = report_year_get_or_create(fund=aoks["aok-bw"], year=2023)
    path = tmp_path / "base.csv"
    path.write_text("average_insured;average_sick_pay_members\n4600000;2100000\n")
    import_files(report_year, [path])
    report = compute_report(report_year)
    table = next(t for t in report_tables(report) if t.slug == "programme")
    first, total = table.rows
    assert first["participants"] == 2 and str(first["rate"]) == "0.0"
    assert total["label"] == "alle Programme" and total["participants"] == 2
    assert any("31. Dezember" in note for note in table.notes)
