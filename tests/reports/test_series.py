"""Series over the years: every figure of the report and the comparison per year, only the
years the reader may see (unpublished years and funds stay hidden), chart, table and CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from devdata.report_generator import scaled
from reports.figures import compute_report
from reports.series import series_tables
from reports.services import report_year_get_or_create
from tests.fixtures.reports import load

pytestmark = pytest.mark.django_db


@pytest.fixture
def plus_2022_unpublished(aoks, plus_data, tmp_path):
    report_year = report_year_get_or_create(fund=aoks["aok-plus"], year=2022)
    return load(report_year, scaled(plus_data, year=2022, factor=0.9, seed=5), tmp_path / "p22")


def test_series_has_one_row_per_year_with_the_reports_figures(plus_2023, plus_2022_unpublished):
    reports = [compute_report(ry, with_previous=False) for ry in (plus_2023, plus_2022_unpublished)]
    tables = {t.slug: t for t in series_tables(reports)}
    received = tables["verlauf-antraege-gesamt-count"]
    assert [r["label"] for r in received.rows] == ["2022", "2023"]  # oldest first
    assert received.rows[1]["f0"] == 14_728_656
    assert received.rows[0]["f0"] == reports[1].overview.received
    shares = tables["verlauf-widersprueche-kv-share"]
    assert [c.label for c in shares.columns[1:5]] == [
        "Rücknahme durch Versicherte",
        "Erfolg der Versicherten",
        "ohne Erfolg der Versicherten",
        "Erledigung auf sonstige Art",
    ]
    assert [str(shares.rows[1][f"f{i}"]) for i in range(4)] == ["13.3", "48.9", "32.2", "5.6"]
    # the comparison's figures too (rates per 100,000)
    assert any(slug.startswith("verlauf-vergleich-") for slug in tables)
    assert all(t.chart is not None and t.chart.title for t in tables.values())


def test_unpublished_years_are_hidden_from_others_and_shown_to_the_fund(
    client, plus_2023, plus_2022_unpublished, plus_staff, bw_staff
):
    url = reverse("reports:series", args=["aok-plus"])
    html = client.get(url).content.decode()
    assert "Bericht AOK PLUS 2023" in html and "2022" not in html.split("<h1")[1].split("</h1>")[0]
    assert ">2022<" not in html
    client.force_login(bw_staff)
    assert ">2022<" not in client.get(url).content.decode()
    client.force_login(plus_staff)
    html = client.get(url).content.decode()
    assert ">2022<" in html and "nicht veröffentlicht" in html
    assert "<svg" in html and "<title" in html


def test_fund_without_readable_years_is_404(client, bw_2023, bw_staff):
    assert client.get(reverse("reports:series", args=["aok-bw"])).status_code == 404
    assert (
        client.get(reverse("reports:series_csv", args=["aok-bw", "verlauf-antraege-gesamt-count"])).status_code == 404
    )
    client.force_login(bw_staff)
    assert client.get(reverse("reports:series", args=["aok-bw"])).status_code == 200


def test_series_csv(client, plus_2023):
    response = client.get(reverse("reports:series_csv", args=["aok-plus", "verlauf-widersprueche-kv-share"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Jahr" and rows[1][:5] == ["2023", "13,3", "48,9", "32,2", "5,6"]
    assert client.get(reverse("reports:series_csv", args=["aok-plus", "nichts"])).status_code == 404
