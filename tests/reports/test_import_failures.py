"""An import that fails in the middle ends as "failed" with its reason, never stays "running"
(on PostgreSQL a NUL byte in the reason used to break the very write that records it)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from reports import services
from reports.imports import Progress
from reports.models import Application, ImportRun
from tests.fixtures.reports import NOW

pytestmark = pytest.mark.django_db

HEADER = "received;decided;category;branch;outcome;expert_opinion\n"


def _command(path, **kwargs):
    call_command(
        "import_report_data", str(path), "--fund", "aok-plus", "--year", "2023", stdout=io.StringIO(), **kwargs
    )


@pytest.mark.parametrize(
    "body",
    [
        "2023-01-02;2023-01-03;sonst\x00ige;KV;approved;0\n",
        "2023-01-02;2023-01-03;sonstige;KV;approved;0\x00\n",
    ],
)
def test_nul_byte_in_a_row_fails_the_run_with_a_readable_reason(aoks, tmp_path, body):
    path = tmp_path / "applications.csv"
    path.write_bytes((HEADER + "2023-01-02;2023-01-03;sonstige;KV;approved;0\n" + body).encode())
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 Datei"):
        _command(path, stderr=err)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and run.finished_at is not None
    assert [e["line"] for e in run.errors] == [3]
    assert "\x00" not in run.errors[0]["message"] and "\\x00" in run.errors[0]["message"]
    assert "Zeile 3" in err.getvalue()
    assert not Application.objects.exists()


def test_unexpected_error_in_the_middle_fails_the_run_and_the_command_says_why(aoks, tmp_path, monkeypatch):
    def breaks_halfway(*, on_progress, **kwargs):
        on_progress(Progress(rows=500, bytes_read=1000, bytes_total=2000, phase="read"))
        raise OSError("No space left on device")

    monkeypatch.setattr(services, "import_stream", breaks_halfway)
    path = tmp_path / "applications.csv"
    path.write_text(HEADER + "2023-01-02;2023-01-03;sonstige;KV;approved;0\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="No space left on device"):
        _command(path, stderr=err)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and run.finished_at is not None
    assert "No space left on device" in run.message


def test_unexpected_error_with_a_nul_byte_in_its_text_is_still_recorded(aoks, monkeypatch):
    def breaks(**kwargs):
        raise ValueError("unexpected byte \x00 at offset 17")

    monkeypatch.setattr(services, "import_stream", breaks)
    report_year = services.report_year_get_or_create(fund=aoks["aok-plus"], year=2023)
    run = services.import_run_create(
        report_year=report_year,
        original_name="upload.csv",
        file=SimpleUploadedFile("upload.csv", HEADER.encode()),
        now=NOW,
    )
    with pytest.raises(ValueError):
        services.import_run_execute(run=run, now=NOW)  # the task worker records the traceback
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.finished_at is not None
    assert "unexpected byte \\x00 at offset 17" in run.message


def test_a_run_whose_process_died_is_marked_failed_by_the_next_import(aoks, tmp_path):
    """A worker killed in the middle (OOM, restart) cannot record anything: the next import
    (command or task) marks runs that have been "running" for longer than IMPORT_RUN_STALE_AFTER."""
    import datetime as dt

    from django.utils import timezone

    report_year = services.report_year_get_or_create(fund=aoks["aok-plus"], year=2023)
    now = timezone.now()
    dead = services.import_run_create(report_year=report_year, original_name="dead.csv", now=now)
    alive = services.import_run_create(report_year=report_year, original_name="alive.csv", now=now)
    ImportRun.objects.filter(pk=dead.pk).update(status="running", started_at=now - dt.timedelta(hours=7))
    ImportRun.objects.filter(pk=alive.pk).update(status="running", started_at=now - dt.timedelta(minutes=5))

    path = tmp_path / "applications.csv"
    path.write_text(HEADER + "2023-01-02;2023-01-03;sonstige;KV;approved;0\n")
    _command(path)

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == ImportRun.Status.FAILED and dead.finished_at is not None
    assert "nicht beendet" in dead.message
    assert alive.status == ImportRun.Status.RUNNING
