"""key_figures.csv: the figures of the published report that are not figures of applications
(branches, care advice, health promotion, survey) — import all or nothing with line numbers,
kept as stated ("etwa 41"), shown in the report's sections, its CSV files and its PDF."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.figures import compute_report
from reports.imports import ImportFailed, import_stream
from reports.models import KeyFigure
from reports.tables import report_tables
from tests.fixtures.reports import NOW

pytestmark = pytest.mark.django_db

HEADER = "figure;value;qualifier\n"


def _import(report_year, text: str):
    return import_stream(report_year=report_year, stream=io.BytesIO(text.encode()), now=NOW)


def test_published_key_figures_are_kept_as_stated(plus_2023):
    figures = compute_report(plus_2023).key_figures
    assert (figures["branches"].value, figures["branches_accessible"].value) == (134, 118)
    assert (figures["care_plans"].value, figures["care_plans"].qualifier) == (4847, "")
    assert (figures["care_advisors"].value, figures["care_advisors"].qualifier_label) == (41, "etwa")
    assert (figures["prevention_participants"].value, figures["prevention_participants"].qualifier_label) == (
        225_000,
        "fast",
    )
    assert str(figures["prevention_spending_per_participant"].value) == "92.97"
    assert (figures["survey_first_choice"].value, figures["survey_stay"].value) == (97, 90)


def test_key_figure_import_is_all_or_nothing_with_line_numbers(bw_2023):
    _import(bw_2023, HEADER + "branches;100;\ncare_advisors;12;about\n")
    with pytest.raises(ImportFailed) as failed:
        _import(
            bw_2023,
            HEADER
            + "branches;90;\n"  # 2: fine
            + "care_plans;12.5;\n"  # 3: a count with decimals
            + "filialen;3;\n"  # 4: unknown figure
            + "survey_stay;101;\n"  # 5: more than 100 %
            + "care_advisors;12;circa\n"  # 6: unknown qualifier
            + "branches;91;\n"  # 7: twice
            + "prevention_spending_per_participant;9,50;\n"  # 8: decimal comma
            + "branches_accessible;95;\n",  # 9: more accessible branches than branches
        )
    lines = [line for line, _message in failed.value.errors]
    assert lines == [3, 4, 5, 6, 7, 8, 9]
    messages = dict(failed.value.errors)
    assert "Zeile 2" in messages[7] and "filialen" in messages[4] and "90" in messages[9]
    # nothing of the broken file was imported
    assert {k.name: k.value for k in KeyFigure.objects.filter(report_year=bw_2023)} == {
        "branches": Decimal("100.00"),
        "care_advisors": Decimal("12.00"),
    }


def test_key_figures_appear_in_their_sections_html_and_csv(client, plus_2023):
    tables = {t.slug: t for t in report_tables(compute_report(plus_2023))}
    assert tables["kennzahlen-kontakt"].section == "kontakt"
    assert tables["kennzahlen-befragung"].section == "befragung"
    html = client.get(reverse("reports:detail", args=["aok-plus", 2023])).content.decode()
    for text in ("Filialen", "etwa 41", "fast 225.000", "92,97", "97\u00a0%", "4.847"):
        assert text in html, text
    response = client.get(reverse("reports:csv", args=["aok-plus", 2023, "kennzahlen-angebote"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Kennzahl", "Angabe", "Wert", "Einheit"]
    assert ["Pflegeberaterinnen und Pflegeberater", "etwa", "41", ""] in [r[:4] for r in rows]
    assert ["Ausgaben je Teilnehmerin und Teilnehmer (Euro)", "", "92,97", "Euro"] in [r[:4] for r in rows]


def test_demo_data_fill_the_key_figures(aoks):
    from devdata.reports import seed_report_demo
    from reports.models import ReportYear

    seed_report_demo(io.StringIO())
    plus = ReportYear.objects.get(fund=aoks["aok-plus"], year=2023)
    assert compute_report(plus).key_figures["care_advisors"].qualifier_label == "etwa"
    for report_year in ReportYear.objects.all():
        assert KeyFigure.objects.filter(report_year=report_year).count() == 9, report_year
