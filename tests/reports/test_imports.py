"""The CSV import: all or nothing, row errors with line numbers, rollups maintained on import,
and case-level and pre-aggregated files of the same data giving identical rollups."""

from __future__ import annotations

import io

import pytest

from devdata.report_generator import write_aggregated, write_case_level
from reports import rollups
from reports.imports import ImportFailed, import_stream
from reports.models import Application, ApplicationRollup, Complaint, LegalRemedy, ReportYear, TreatmentErrorCase
from reports.services import report_year_get_or_create
from tests.fixtures.reports import NOW, application_cases, import_files

pytestmark = pytest.mark.django_db

HEADER = "received;decided;category;branch;outcome;expert_opinion\n"


def _import(report_year: ReportYear, text: str, **kwargs):
    return import_stream(report_year=report_year, stream=io.BytesIO(text.encode()), now=NOW, **kwargs)


@pytest.fixture
def year_2023(aoks) -> ReportYear:
    return report_year_get_or_create(fund=aoks["aok-plus"], year=2023)


@pytest.fixture
def other_fund_2023(aoks) -> ReportYear:
    return report_year_get_or_create(fund=aoks["aok-bw"], year=2023)


def test_import_case_level_applications_writes_rows_and_rollups(year_2023):
    result = _import(
        year_2023,
        HEADER
        + "2023-01-02;2023-01-12;hilfsmittel.pflegebett;KV;approved;0\n"
        + "2023-01-02;2023-02-20;hilfsmittel.pflegebett;KV;approved;0\n"
        + "2023-03-01;2023-04-04;reha.stationaer;KV;rejected;1\n"
        + "2023-12-30;;pflegebeduerftigkeit.erstantrag;PV;pending;1\n",
    )
    assert result.rows == 4
    assert application_cases(year_2023) == 4
    stored = rollups.stored_rollups(year_2023, rollups.APPLICATIONS)
    # Pflegebetten: 10 and 49 days; only the first within 21 days
    assert stored[(50, "KV", "A", False)] == [2, 59, 1]
    # expert opinion: 34 days are within the 5-week limit
    assert stored[(40, "KV", "R", True)] == [1, 34, 1]
    assert stored[(30, "PV", "P", True)] == [1, 0, 0]
    assert stored == rollups.aggregate_cases(year_2023, rollups.APPLICATIONS)
    year_2023.refresh_from_db()
    assert year_2023.data_version == 1


def test_import_reports_every_broken_row_with_its_line_and_imports_nothing(year_2023):
    _import(year_2023, HEADER + "2023-01-02;2023-01-03;sonstige;KV;approved;0\n")
    year_2023.refresh_from_db()
    version_before = year_2023.data_version
    seen = []
    text = (
        HEADER
        + "2023-01-02;2023-01-03;sonstige;KV;approved;0\n"  # line 2 fine
        + "2023-02-30;2023-03-03;sonstige;KV;approved;0\n"  # 3: no such date
        + "2023-01-02;2023-01-03;zauberei;KV;approved;0\n"  # 4: unknown category
        + "2023-01-02;2023-01-03;krankengeld;PV;approved;0\n"  # 5: Krankengeld is KV
        + "2023-01-05;2023-01-03;sonstige;KV;approved;0\n"  # 6: decided before received
        + "2022-12-31;2023-01-03;sonstige;KV;approved;0\n"  # 7: not in the report year
        + "2023-01-02;2023-01-03;sonstige;KV\n"  # 8: columns missing
        + "2023-01-02;2023-01-03;sonstige;KV;pending;0\n"  # 9: pending with a decision
        + "2023-01-02;2023-01-03;sonstige;KV;approved;ja\n"  # 10: not 0/1
        + "\n"  # 11: blank lines are skipped
        + "2023-01-02;2023-01-04;sonstige;KV;approved;0\n"  # 12 fine
    )
    with pytest.raises(ImportFailed) as excinfo:
        _import(year_2023, text, on_error=lambda line, message: seen.append(line))
    lines = [line for line, _message in excinfo.value.errors]
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10]
    assert seen == lines
    assert excinfo.value.error_count == 8
    messages = dict(excinfo.value.errors)
    assert "2023-02-30" in messages[3] and "kein gültiges Datum" in messages[3]
    assert "zauberei" in messages[4]
    assert "6 Spalten erwartet, 4 gefunden" in messages[8]
    # nothing changed: the earlier import is still there, version unchanged
    assert application_cases(year_2023) == 1
    year_2023.refresh_from_db()
    assert year_2023.data_version == version_before


def test_import_keeps_only_the_first_errors_but_counts_all(year_2023):
    broken = "".join("2023-01-02;x;sonstige;KV;approved;0\n" for _ in range(30))
    with pytest.raises(ImportFailed) as excinfo:
        _import(year_2023, HEADER + broken, max_errors=5)
    assert len(excinfo.value.errors) == 5
    assert excinfo.value.error_count == 30


def test_import_recognises_the_format_by_its_header_and_rejects_unknown_ones(year_2023):
    with pytest.raises(ImportFailed) as excinfo:
        _import(year_2023, "a;b;c\n1;2;3\n")
    assert excinfo.value.errors[0][0] == 1
    with pytest.raises(ImportFailed):
        _import(year_2023, HEADER + "2023-01-02;2023-01-03;sonstige;KV;approved;0\n", dataset="complaints")
    result = _import(year_2023, "\ufeffAVERAGE_INSURED ; average_sick_pay_members\n3510000;1587330\n")
    assert result.dataset == "base"
    year_2023.refresh_from_db()
    assert (year_2023.average_insured, year_2023.average_sick_pay_members) == (3_510_000, 1_587_330)


def test_import_accepts_comma_delimiter_crlf_and_padded_cells(year_2023):
    text = (
        "received,decided,category,branch,outcome,expert_opinion\r\n 2023-01-02 ,2023-01-03,sonstige,KV,approved,0\r\n"
    )
    assert _import(year_2023, text).rows == 1


def test_import_rejects_an_empty_file_and_a_file_without_rows(year_2023):
    with pytest.raises(ImportFailed):
        _import(year_2023, "")
    with pytest.raises(ImportFailed) as excinfo:
        _import(year_2023, HEADER)
    assert "keine Datenzeilen" in excinfo.value.errors[0][1]


def test_import_rejects_non_utf8(year_2023):
    with pytest.raises(ImportFailed) as excinfo:
        import_stream(
            report_year=year_2023,
            stream=io.BytesIO(
                (HEADER + "2023-01-02;2023-01-03;sonstige;KV;approved;0\n").encode() + "Ä;\n".encode("latin-1")
            ),
            now=NOW,
        )
    assert "UTF-8" in excinfo.value.errors[-1][1]


def test_reimport_replaces_the_dataset_and_bumps_the_version(year_2023):
    _import(year_2023, HEADER + "2023-01-02;2023-01-03;sonstige;KV;approved;0\n" * 3)
    _import(year_2023, HEADER + "2023-01-02;2023-01-05;sonstige;KV;rejected;0\n")
    assert application_cases(year_2023) == 1
    assert rollups.stored_rollups(year_2023, rollups.APPLICATIONS) == {(90, "KV", "R", False): [1, 3, 1]}
    year_2023.refresh_from_db()
    assert year_2023.data_version == 2


def test_aggregated_import_replaces_case_rows_of_the_same_family(year_2023):
    _import(year_2023, HEADER + "2023-01-02;2023-01-03;sonstige;KV;approved;0\n")
    _import(
        year_2023,
        "category;branch;outcome;expert_opinion;count;processing_days_sum;decided_in_time\nsonstige;KV;approved;0;10;25;10\n",
    )
    assert not Application.objects.filter(report_year=year_2023).exists()
    assert rollups.stored_rollups(year_2023, rollups.APPLICATIONS) == {(90, "KV", "A", False): [10, 25, 10]}


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("sonstige;KV;approved;0;10;25;11", "größer als count"),
        ("sonstige;KV;pending;0;10;25;0", "Offene Anträge"),
        ("pflege.kurzzeitpflege;PV;approved;0;10;25;3", "nur in der Krankenversicherung"),
        ("sonstige;KV;approved;0;10;25;0", "mindestens 220 Tage"),
    ],
)
def test_aggregated_import_checks_that_counts_are_consistent(year_2023, row, fragment):
    header = "category;branch;outcome;expert_opinion;count;processing_days_sum;decided_in_time\n"
    with pytest.raises(ImportFailed) as excinfo:
        _import(year_2023, header + row + "\n")
    assert fragment in excinfo.value.errors[0][1]


def test_aggregated_import_rejects_a_group_twice(year_2023):
    header = "category;branch;outcome;expert_opinion;count;processing_days_sum;decided_in_time\n"
    with pytest.raises(ImportFailed) as excinfo:
        _import(year_2023, header + "sonstige;KV;approved;0;1;1;1\nsonstige;KV;approved;0;2;2;2\n")
    assert excinfo.value.errors == [(3, "Diese Gruppe steht schon in Zeile 2.")]


def test_case_level_and_aggregated_files_of_the_same_data_roll_up_identically(
    year_2023, other_fund_2023, small_data, tmp_path
):
    """The generator expands every rollup cell into exactly its rows; both import paths must
    end in the same rollups (the full-scale version of this runs in bench/reports.py)."""
    import_files(year_2023, write_case_level(small_data, tmp_path / "case"))
    import_files(other_fund_2023, write_aggregated(small_data, tmp_path / "agg"))
    assert application_cases(year_2023) == small_data.application_count
    assert LegalRemedy.objects.filter(report_year=year_2023).exists()
    assert TreatmentErrorCase.objects.filter(report_year=year_2023).count() == small_data.treatment_errors[0]
    assert Complaint.objects.filter(report_year=year_2023).count() == sum(small_data.complaints.values())
    for family in rollups.FAMILIES:
        case_level = rollups.stored_rollups(year_2023, family)
        assert case_level == rollups.stored_rollups(other_fund_2023, family), family.key
        # the invariant: stored rollups = what the database aggregates from the case rows
        assert case_level == rollups.aggregate_cases(year_2023, family), family.key
    expected = {
        (c.category, c.branch, c.outcome, c.expert): [c.count, c.days, c.in_time] for c in small_data.applications
    }
    assert rollups.stored_rollups(year_2023, rollups.APPLICATIONS) == expected


def test_import_reports_progress(year_2023, monkeypatch):
    monkeypatch.setattr("reports.imports.PROGRESS_EVERY", 2)
    monkeypatch.setattr("reports.imports.STAGE_BATCH", 3)
    phases = []
    text = HEADER + "2023-01-02;2023-01-03;sonstige;KV;approved;0\n" * 7

    class Unseekable(io.BytesIO):  # the Python validator's row-wise progress (PostgreSQL: see test_pgimport)
        def seekable(self) -> bool:
            return False

    import_stream(
        report_year=year_2023,
        stream=Unseekable(text.encode()),
        now=NOW,
        bytes_total=len(text),
        on_progress=lambda p: phases.append((p.phase, p.rows)),
    )
    assert ("read", 2) in phases and ("read", 6) in phases
    assert phases[-1][0] == "done"
    assert application_cases(year_2023) == 7


def test_application_rollup_counts_match_the_published_totals(plus_2023):
    rows = ApplicationRollup.objects.filter(report_year=plus_2023)
    assert sum(r.count for r in rows) == 14_728_656
    assert sum(r.count for r in rows if r.outcome == "A") == 14_128_630
