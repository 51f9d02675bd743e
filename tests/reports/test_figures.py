"""The report computed from rollups: the published AOK PLUS 2023 figures, definitions,
year-over-year changes, and the fingerprint of stored PDFs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from devdata.report_generator import scaled
from reports.figures import compute_report, report_fingerprint
from reports.models import Benefit, Category
from reports.services import report_year_get_or_create, report_year_publish, report_year_set_base_figures
from reports.tables import comparison_tables, report_tables
from tests.fixtures.reports import NOW, load

pytestmark = pytest.mark.django_db


def test_report_reproduces_the_published_aok_plus_2023_figures(plus_2023, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        report = compute_report(plus_2023)
    o = report.overview
    assert o.received == 14_728_656
    approved, rejected = o.split.parts
    assert (approved.count, approved.share) == (14_128_630, Decimal("95.9"))
    assert (rejected.count, rejected.share) == (600_026, Decimal("4.1"))
    assert o.other_in_rejected == 105

    kg = report.top(Benefit.KRANKENGELD)
    assert (kg.total, kg.rate.value) == (198_004, Decimal("12474"))
    expected = {
        Benefit.ZAHNERSATZ: (292_883, [(242_830, "82.9"), (50_053, "17.1")]),
        Benefit.PFLEGEBEDUERFTIGKEIT: (75_217, [(60_382, "80.3"), (14_730, "19.6"), (105, "0.1")]),
        Benefit.REHA: (85_317, [(75_734, "88.8"), (9_583, "11.2")]),
        Benefit.HILFSMITTEL: (3_537_773, [(3_386_618, "95.7"), (151_155, "4.3")]),
    }
    for key, (total, parts) in expected.items():
        top = report.top(key)
        assert top.total == total
        assert [(p.count, str(p.share)) for p in top.split.parts] == parts

    days = {p.category: str(p.average) for p in report.processing}
    assert days == {
        Category.HILFSMITTEL_PFLEGEBETT: "12.0",
        Category.HILFSMITTEL_INKONTINENZ: "0.0",
        Category.HILFSMITTEL_CPAP: "0.0",
        Category.REHA_STATIONAER: "17.7",
        Category.REHA_MUTTER_VATER_KIND: "18.1",
        Category.REHA_BADEKUR: "1.3",
        Category.PFLEGEGRAD_ERSTANTRAG: "30.9",
        Category.PFLEGE_KURZZEITPFLEGE: "3.8",
        Category.PFLEGE_VERHINDERUNGSPFLEGE: "4.7",
        Category.ZAHNERSATZ_HKP: "4.8",
        Category.KRANKENGELD: "1.3",
    }

    kv_objections = report.remedy("objection", "KV")
    assert (kv_objections.received, kv_objections.quota.value, kv_objections.settled) == (
        18_360,
        Decimal("0.13"),
        17_288,
    )
    assert [(p.count, str(p.share)) for p in kv_objections.split.parts] == [
        (2_291, "13.3"), (8_447, "48.9"), (5_576, "32.2"), (974, "5.6"),
    ]  # fmt: skip
    kv_lawsuits = report.remedy("lawsuit", "KV")
    assert (kv_lawsuits.received, kv_lawsuits.quota.value, kv_lawsuits.settled) == (458, Decimal("0.00"), 411)
    assert [str(p.share) for p in kv_lawsuits.split.parts] == ["40.1", "17.5", "34.6", "7.8"]
    pv_objections = report.remedy("objection", "PV")
    assert (pv_objections.received, pv_objections.quota.value, pv_objections.settled) == (
        12_482,
        Decimal("1.56"),
        11_242,
    )
    assert [str(p.share) for p in pv_objections.split.parts] == ["29.2", "45.3", "22.6", "2.9"]
    pv_lawsuits = report.remedy("lawsuit", "PV")
    assert (pv_lawsuits.received, pv_lawsuits.settled) == (205, 199)

    te = report.treatment_errors
    assert (te.cases, te.cases_rate.value, te.opinions, te.opinions_rate.value) == (
        1_856,
        Decimal("53"),
        972,
        Decimal("28"),
    )
    assert (te.confirmed, te.confirmed_share.value) == (191, Decimal("19.7"))


def test_every_rate_carries_its_definition(plus_2023):
    report = compute_report(plus_2023)
    assert "desselben Versicherungszweigs" in report.remedy("objection", "KV").quota.definition
    assert "100.000" in report.treatment_errors.cases_rate.definition
    for table in report_tables(report):
        rate_columns = [c for c in table.columns if c.kind in {"percent", "percent2", "rate", "rate1", "days"}]
        if rate_columns:
            assert table.notes, table.slug


def test_rates_need_the_insured_and_show_nothing_without_them(aoks, plus_data, tmp_path):
    report_year = report_year_get_or_create(fund=aoks["aok-bw"], year=2023)
    load(report_year, plus_data, tmp_path / "d")
    report_year = report_year_set_base_figures(
        report_year=report_year, average_insured=None, average_sick_pay_members=None, now=NOW
    )
    report = compute_report(report_year)
    assert report.treatment_errors.cases_rate.value is None
    assert report.top(Benefit.KRANKENGELD).rate.value is None


def test_previous_year_changes_only_when_the_previous_year_is_published(aoks, plus_2023, plus_data, tmp_path):
    previous = report_year_get_or_create(fund=aoks["aok-plus"], year=2022)
    load(previous, scaled(plus_data, year=2022, factor=0.9, seed=5), tmp_path / "prev")
    assert compute_report(plus_2023).previous is None
    report_year_publish(report_year=previous, now=NOW - dt.timedelta(days=1))
    report = compute_report(plus_2023)
    assert report.previous is not None and report.previous.year == 2022
    table = next(t for t in report_tables(report) if t.slug == "antraege-gesamt")
    total = table.rows[0]
    assert total["previous"] == report.previous.overview.received
    assert total["change"] == round((Decimal(14_728_656) / total["previous"] - 1) * 100, 1)
    assert any(c.key == "change" for c in table.columns)


def test_fingerprint_changes_with_the_data_and_the_language(plus_2023, plus_data, tmp_path):
    report = compute_report(plus_2023)
    before = report_fingerprint(report, language="de")
    assert before == report_fingerprint(compute_report(plus_2023), language="de")
    assert before != report_fingerprint(report, language="en")
    report_year_set_base_figures(
        report_year=plus_2023, average_insured=3_600_000, average_sick_pay_members=1_587_330, now=NOW
    )
    plus_2023.refresh_from_db()
    assert report_fingerprint(compute_report(plus_2023), language="de") != before


def test_comparison_uses_rates_per_100000(aoks, plus_2023, plus_data, tmp_path):
    bw = report_year_get_or_create(fund=aoks["aok-bw"], year=2023)
    load(bw, scaled(plus_data, year=2023, factor=2.0, seed=3, insured=7_020_000), tmp_path / "bw")
    tables = comparison_tables([compute_report(plus_2023), compute_report(bw)], 2023)
    rows = {row["label"]: row for row in tables[0].rows}
    plus_rate = rows["AOK PLUS"]["applications_rate"]
    assert plus_rate == Decimal("419619.8")  # 14.728.656 ÷ 3.510.000 × 100.000
    # twice the volume and twice the insured: about the same rate
    assert abs(rows["AOK Baden-Württemberg"]["applications_rate"] - plus_rate) / plus_rate < Decimal("0.08")
