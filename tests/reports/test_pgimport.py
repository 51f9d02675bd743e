"""applications.csv on PostgreSQL: COPY + set-wise SQL (reports.pgimport) gives exactly what
the Python validator gives — the same case rows and rollups, the same rejected lines with the
same line numbers and reasons, nothing imported when a line is broken."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from devdata.report_generator import write_case_level
from reports import rollups
from reports.imports import ImportFailed, import_stream
from reports.models import Application, Category, ReportYear
from reports.services import report_year_get_or_create
from tests.fixtures.reports import NOW, application_cases

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path exists on PostgreSQL only"),
]

HEADER = "received;decided;category;branch;outcome;expert_opinion\n"


class PythonOnly(io.BytesIO):
    """A stream the COPY path cannot re-read, so `import_stream` uses the Python validator."""

    def seekable(self) -> bool:
        return False


def _run(report_year: ReportYear, data: bytes, *, python: bool):
    stream = PythonOnly(data) if python else io.BytesIO(data)
    try:
        result = import_stream(report_year=report_year, stream=stream, now=NOW)
    except ImportFailed as exc:
        assert exc.error_count == len(exc.errors)
        return None, [(line, message) for line, message in exc.errors]
    return result, []


def _state(report_year: ReportYear):
    rows = sorted(
        Application.objects.filter(report_year=report_year).values_list(
            "received", "decided", "processing_days", "category", "branch", "outcome", "expert_opinion", "cases"
        ),
        key=str,
    )
    return rows, rollups.stored_rollups(report_year, rollups.APPLICATIONS)


@pytest.fixture
def years(aoks):
    return (
        report_year_get_or_create(fund=aoks["aok-plus"], year=2023),
        report_year_get_or_create(fund=aoks["aok-bw"], year=2023),
    )


def test_copy_path_and_python_path_store_identical_rows_and_rollups(years, small_data, tmp_path, monkeypatch):
    copy_year, python_year = years
    path = next(p for p in write_case_level(small_data, tmp_path) if p.name == "applications.csv")
    data = path.read_bytes()
    calls = []
    import reports.pgimport as pgimport

    original = pgimport.ApplicationsCopy.insert
    monkeypatch.setattr(
        pgimport.ApplicationsCopy, "insert", lambda self, **kw: calls.append(kw) or original(self, **kw)
    )
    copied, _ = _run(copy_year, data, python=False)
    assert calls == [{"report_year_id": copy_year.pk, "strip": False}]  # the COPY path took it, in one go
    python, _ = _run(python_year, data, python=True)
    assert copied.rows == python.rows == small_data.application_count
    assert _state(copy_year) == _state(python_year)
    assert rollups.stored_rollups(copy_year, rollups.APPLICATIONS) == rollups.aggregate_cases(
        copy_year, rollups.APPLICATIONS
    )
    copy_year.refresh_from_db()
    assert copy_year.data_version == 1


BROKEN = [
    "2023-01-02;2023-01-12;hilfsmittel.pflegebett;KV;approved;0",  # fine
    "2023-1-02;2023-01-12;sonstige;KV;approved;0",  # date shape
    "2023-02-30;2023-03-01;sonstige;KV;approved;0",  # no such day
    "2022-12-31;2023-01-02;sonstige;KV;approved;0",  # not in the year
    "2023-01-02;2023-01-03;zahnersatz.gold;KV;approved;0",  # unknown category
    "2023-01-02;2023-01-03;sonstige;GKV;approved;0",  # unknown branch
    "2023-01-02;2023-01-03;krankengeld;PV;approved;0",  # category of the other branch
    "2023-01-02;2023-01-03;sonstige;KV;granted;0",  # unknown outcome
    "2023-01-02;2023-01-03;sonstige;KV;approved;ja",  # flag
    "2023-01-02;2023-01-03;sonstige;KV;pending;0",  # pending with a decision
    "2023-01-02;;sonstige;KV;approved;0",  # decision missing
    "2023-01-02;03.01.2023;sonstige;KV;approved;0",  # decision date shape
    "2023-01-02;2023-13-01;sonstige;KV;approved;0",  # decision date invalid
    "2023-03-02;2023-03-01;sonstige;KV;approved;0",  # decided before received
    "2023-03-02;2025-01-01;sonstige;KV;approved;0",  # after the following year
    " 2023-03-02 ; 2023-03-05 ;\u00a0sonstige\t; KV ; approved ; 1 ",  # fine once stripped
    "2023-03-02; 2023-02-05 ;sonstige;KV;approved;0",  # stripped, then before received
    "2023-12-31;;pflege.sonstige;PV;pending;1",  # fine
]


def test_copy_path_rejects_the_same_lines_with_the_same_reasons(years):
    copy_year, python_year = years
    data = (HEADER + "\n".join(BROKEN) + "\n").encode()
    copied, copy_errors = _run(copy_year, data, python=False)
    python, python_errors = _run(python_year, data, python=True)
    assert copied is None and python is None
    assert copy_errors == python_errors
    assert [line for line, _msg in copy_errors] == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18]
    assert "received: 2022-12-31 liegt nicht im Berichtsjahr 2023." in dict(copy_errors)[5]
    assert not Application.objects.exists()
    copy_year.refresh_from_db()
    assert copy_year.data_version == 0


def test_copy_path_strips_whitespace_like_the_python_validator(years):
    copy_year, python_year = years
    data = (HEADER + BROKEN[0] + "\n" + BROKEN[15] + "\n").encode()
    copied, _ = _run(copy_year, data, python=False)
    python, _ = _run(python_year, data, python=True)
    assert copied.rows == python.rows == 2
    assert _state(copy_year) == _state(python_year)


@pytest.mark.parametrize(
    "body",
    [
        "2023-01-02;2023-01-12;sonstige;KV;approved;0\r\n2023-01-03;2023-01-12;sonstige;KV;approved;0\r\n",  # CRLF
        "2023-01-02;2023-01-12;sonstige;KV;approved;0\n\n2023-01-03;2023-01-12;sonstige;KV;approved;0\n\n\n",  # blank
        "2023-01-02;2023-01-12;sonstige;KV;approved;0\n2023-01-03;2023-01-12;sonstige;KV;approved;0",  # no final LF
        '"2023-01-02";2023-01-12;"sonstige";KV;approved;0\n',  # quoted values
    ],
)
def test_line_endings_blank_lines_and_quotes_give_the_same_result(years, body):
    copy_year, python_year = years
    data = (HEADER.replace("\n", "\r\n") if "\r\n" in body else HEADER).encode() + body.encode()
    copied, _ = _run(copy_year, data, python=False)
    python, _ = _run(python_year, data, python=True)
    assert copied.rows == python.rows
    assert _state(copy_year) == _state(python_year)


@pytest.mark.parametrize(
    "body",
    [
        "2023-01-02;2023-01-12;sonstige;KV;approved\n",  # a column missing
        "2023-01-02;2023-01-12;sonstige;KV;approved;0\n\n2023-01-02;2023-01-12;sonstige;KV;approved;0;x\n",
        "\\.\n2023-01-02;2023-01-12;sonstige;KV;approved;0\n",  # COPY's end-of-data marker
        "2023-01-02;2023-01-12;sonst\xffige;KV;approved;0\n",
    ],
)
def test_what_copy_cannot_read_is_reported_by_the_python_validator(years, body):
    copy_year, python_year = years
    data = HEADER.encode() + (body.encode("latin-1") if "\xff" in body else body.encode())
    copied, copy_errors = _run(copy_year, data, python=False)
    python, python_errors = _run(python_year, data, python=True)
    assert copied is None and copy_errors and copy_errors == python_errors
    assert not Application.objects.exists()


def test_copy_path_reports_progress_by_bytes_and_phases(years, monkeypatch):
    monkeypatch.setattr("reports.pgimport.COPY_CHUNK", 100)
    monkeypatch.setattr("reports.pgimport.BLOCK", 64)
    copy_year, _python_year = years
    data = (HEADER + "2023-01-02;2023-01-03;sonstige;KV;approved;0\n" * 20).encode()
    seen = []
    import_stream(
        report_year=copy_year,
        stream=io.BytesIO(data),
        now=NOW,
        bytes_total=len(data),
        on_progress=lambda p: seen.append((p.phase, p.percent)),
    )
    reads = [percent for phase, percent in seen if phase == "read"]
    assert len(reads) > 3 and reads == sorted(reads) and reads[-1] == 100
    assert [phase for phase, _p in seen if phase != "read"] == ["write", "done"]
    assert application_cases(copy_year) == 20
    assert Application.objects.filter(report_year=copy_year).count() == 1  # 20 equal lines, one row


def test_equal_lines_are_one_row_with_their_number_on_both_paths(years):
    copy_year, python_year = years
    lines = (
        ["2023-01-02;2023-01-12;sonstige;KV;approved;0"] * 3
        + [" 2023-01-02 ;2023-01-12;sonstige;KV;approved;0"]  # the same case once stripped
        + ["2023-01-02;2023-01-12;sonstige;KV;approved;1"]
        + ["2023-12-31;;pflege.sonstige;PV;pending;1"] * 2
    )
    data = (HEADER + "\n".join(lines) + "\n").encode()
    copied, _ = _run(copy_year, data, python=False)
    python, _ = _run(python_year, data, python=True)
    assert copied.rows == python.rows == 7
    assert _state(copy_year) == _state(python_year)
    rows, rollup = _state(copy_year)
    assert sorted(row[-1] for row in rows) == [1, 2, 4]
    assert application_cases(copy_year) == 7
    assert rollup[(Category.SONSTIGE, "KV", "A", False)][:2] == [4, 40]  # four cases, ten days each
    assert rollups.aggregate_cases(copy_year, rollups.APPLICATIONS) == rollup


def test_a_broken_line_among_equal_ones_keeps_its_line_number(years):
    copy_year, python_year = years
    good = "2023-01-02;2023-01-12;sonstige;KV;approved;0"
    lines = (
        [good] * 5
        + ["2023-01-02;2023-01-12;sonstige;KV;approvd;0"]
        + [good] * 5
        + ["2023-02-30;;sonstige;KV;pending;0"]
    )
    data = (HEADER + "\n".join(lines) + "\n").encode()
    copied, copy_errors = _run(copy_year, data, python=False)
    _python, python_errors = _run(python_year, data, python=True)
    assert copied is None
    assert copy_errors == python_errors
    assert [line for line, _msg in copy_errors] == [7, 13]
    assert not Application.objects.exists()
