"""import_report_data and generate_report_data."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from reports import rollups
from reports.models import ImportRun, ReportYear

pytestmark = pytest.mark.django_db


def test_generate_then_import_the_published_aok_plus_2023_data(aoks, tmp_path):
    out = io.StringIO()
    call_command("generate_report_data", str(tmp_path), stdout=out)
    assert "14.728.656 Anträge" in out.getvalue()
    files = sorted(str(p) for p in tmp_path.glob("*.csv"))
    assert len(files) == 5
    out = io.StringIO()
    call_command("import_report_data", *files, "--fund", "aok-plus", "--year", "2023", stdout=out)
    report_year = ReportYear.objects.get(fund__slug="aok-plus", year=2023)
    assert report_year.data_version == 5
    assert report_year.average_insured == 3_510_000
    assert ImportRun.objects.filter(report_year=report_year, status="succeeded").count() == 5
    assert "Anträge und Rechnungen (aggregiert)" in out.getvalue()


def test_generate_case_level_sample_and_import_by_ik(aoks, tmp_path):
    call_command("generate_report_data", str(tmp_path), "--case-level", "--rows", "2000", stdout=io.StringIO())
    call_command(
        "import_report_data",
        str(tmp_path / "applications.csv"),
        "--fund",
        "107299005",
        "--year",
        "2023",
        stdout=io.StringIO(),
    )
    report_year = ReportYear.objects.get(fund__slug="aok-plus", year=2023)
    assert rollups.stored_rollups(report_year, rollups.APPLICATIONS) == rollups.aggregate_cases(
        report_year, rollups.APPLICATIONS
    )


def test_import_command_prints_every_broken_row_and_fails(aoks, tmp_path):
    path = tmp_path / "applications.csv"
    path.write_text(
        "received;decided;category;branch;outcome;expert_opinion\n"
        "2023-01-02;2023-01-03;sonstige;KV;approved;0\n"
        "2023-13-02;2023-01-03;sonstige;KV;approved;0\n"
        "2023-01-02;2023-01-03;sonstige;XX;approved;0\n"
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 Datei"):
        call_command(
            "import_report_data", str(path), "--fund", "aok-plus", "--year", "2023", stdout=io.StringIO(), stderr=err
        )
    assert "applications.csv, Zeile 3: received: „2023-13-02“ ist kein gültiges Datum." in err.getvalue()
    assert "applications.csv, Zeile 4: branch: „XX“ ist nicht erlaubt" in err.getvalue()
    run = ImportRun.objects.get()
    assert (run.status, run.error_count, [e["line"] for e in run.errors]) == ("failed", 2, [3, 4])
    assert not rollups.stored_rollups(run.report_year, rollups.APPLICATIONS)


def test_import_command_rejects_unknown_fund(aoks, tmp_path):
    with pytest.raises(CommandError, match="Unbekannte Kasse"):
        call_command("import_report_data", str(tmp_path / "x.csv"), "--fund", "aok-mars", "--year", "2023")


@pytest.mark.parametrize("year", ["-5", "0", "99999999999", "1850"])
def test_import_command_answers_a_bad_year_with_a_message(aoks, tmp_path, year):
    from django.core.management import CommandError, call_command

    data = tmp_path / "daten.csv"
    data.write_text("x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Berichtsjahr muss zwischen 2000 und 2100"):
        call_command("import_report_data", str(data), "--fund", "aok-plus", "--year", year)
