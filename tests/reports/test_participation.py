"""Figures about the portal's own programs (reports.participation), driven through the
enrollment services: participants at year end, declarations, revocations, cancellations,
endings, per 100,000 insured and by Land."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from enrollment import services
from reports.csv_export import table_csv
from reports.figures import compute_report
from reports.participation import program_participation
from reports.services import report_year_get_or_create, report_year_publish
from reports.suppression import is_hidden
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
    with django_assert_num_queries(3):  # programs, Länder, counts kept from deleted participations
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


def _report_year_with_base(aoks, tmp_path):
    report_year = report_year_get_or_create(fund=aoks["aok-bw"], year=2023)
    path = tmp_path / "base.csv"
    path.write_text("average_insured;average_sick_pay_members\n4600000;2100000\n")
    import_files(report_year, [path])
    return report_year


def test_report_shows_program_participation_per_100000_insured(participations_2023, aoks, tmp_path, settings):
    settings.REPORT_MIN_COUNT = 1  # the small-number rule off: the exact figures
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


def test_small_numbers_are_hidden_in_the_report_html_and_csv(participations_2023, aoks, tmp_path, client):
    """Default threshold 5: every count of the four people is hidden, with its rate and share."""
    report_year = _report_year_with_base(aoks, tmp_path)
    report_year_publish(report_year=report_year, now=at(2024, 9, 30))
    tables = {t.slug: t for t in report_tables(compute_report(report_year))}
    first, total = tables["programme"].rows
    for row in (first, total):
        assert all(is_hidden(row[key]) for key in ("participants", "rate", "declarations", "revocations", "endings"))
    (land,) = tables["programme-laender"].rows
    assert is_hidden(land["participants"]) and is_hidden(land["share"])
    assert tables["programme"].chart is None  # a bar would show the hidden size
    assert any("< 5" in note for note in tables["programme"].notes)

    csv_text = table_csv(tables["programme"]).decode()
    assert csv_text.splitlines()[1] == "Rücken aktiv;<5;<5;<5;<5;<5;<5"

    page = client.get(reverse("reports:detail", args=["aok-bw", 2023])).content.decode()
    assert "Rücken aktiv" in page and "&lt; 5" in page
    csv_response = client.get(reverse("reports:csv", args=["aok-bw", 2023, "programme"]))
    assert csv_response.status_code == 200 and b"<5" in csv_response.content


def test_a_lower_threshold_shows_what_reaches_it(participations_2023, aoks, tmp_path, settings):
    settings.REPORT_MIN_COUNT = 3
    report_year = _report_year_with_base(aoks, tmp_path)
    first, total = next(t for t in report_tables(compute_report(report_year)) if t.slug == "programme").rows
    assert first["declarations"] == total["declarations"] == 3
    assert is_hidden(first["participants"]) and is_hidden(total["participants"])  # 2 < 3
    assert is_hidden(first["revocations"]) and is_hidden(total["revocations"])  # 1 < 3
