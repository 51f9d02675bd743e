"""Every write of the reports app: report years, publication, imports, stored PDFs.

Services are keyword-only and take `now=`; views, admin, commands and tasks call them.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import IO

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Fund
from reports.imports import ImportFailed, Progress, import_stream
from reports.models import ImportRun, ReportFile, ReportYear

PROGRESS_WRITE_SECONDS = 1.0
#: A run "running" for longer than this has lost its process (killed worker, restart): the full
#: AOK PLUS year (14.7 million rows) imports in about 3 minutes (docs/performance.md).
IMPORT_RUN_STALE_AFTER = dt.timedelta(hours=6)

logger = logging.getLogger(__name__)


class ReportError(Exception):
    """A domain error with a message for people."""


def report_year_get_or_create(*, fund: Fund, year: int) -> ReportYear:
    report_year, _created = ReportYear.objects.get_or_create(fund=fund, year=year)
    return report_year


@transaction.atomic
def report_year_set_base_figures(
    *, report_year: ReportYear, average_insured: int | None, average_sick_pay_members: int | None, now
) -> ReportYear:
    """Change the denominators of the per-100,000 rates; bumps the data version."""
    locked = ReportYear.objects.select_for_update().get(pk=report_year.pk)
    if (
        average_insured is not None
        and average_sick_pay_members is not None
        and average_sick_pay_members > average_insured
    ):
        raise ReportError(_("Es kann nicht mehr Mitglieder mit Krankengeldanspruch als Versicherte geben."))
    locked.average_insured = average_insured
    locked.average_sick_pay_members = average_sick_pay_members
    locked.data_version = F("data_version") + 1
    locked.data_changed_at = now
    locked.save(update_fields=["average_insured", "average_sick_pay_members", "data_version", "data_changed_at"])
    locked.refresh_from_db()
    return locked


@transaction.atomic
def report_year_publish(*, report_year: ReportYear, now) -> ReportYear:
    """Make the report readable by everybody (idempotent: keeps the first publication time)
    and have its PDFs rendered in every language, so the first reader downloads one directly."""
    locked = ReportYear.objects.select_for_update().get(pk=report_year.pk)
    if locked.published_at is None:
        locked.published_at = now
        locked.save(update_fields=["published_at"])
    report_files_prepare(report_year=locked, now=now)
    return locked


@transaction.atomic
def report_year_unpublish(*, report_year: ReportYear) -> ReportYear:
    locked = ReportYear.objects.select_for_update().get(pk=report_year.pk)
    locked.published_at = None
    locked.save(update_fields=["published_at"])
    return locked


# --- imports --------------------------------------------------------------------------------------


def import_run_create(
    *, report_year: ReportYear, original_name: str, now, file=None, dataset: str = "", user=None, bytes_total: int = 0
) -> ImportRun:
    """Record a file to import (the admin upload stores the file; the command streams from disk)."""
    run = ImportRun(
        report_year=report_year,
        original_name=original_name[:255],
        dataset=dataset,
        created_by=user if user is not None and user.is_authenticated else None,
        created_at=now,
        bytes_total=bytes_total or (getattr(file, "size", 0) or 0),
    )
    if file is not None:
        run.file.save(original_name, file, save=False)
    run.save()
    return run


def _storable(text: str) -> str:
    """PostgreSQL text and jsonb columns hold no NUL character; show it as the escape ``\\x00``."""
    return text.replace("\x00", "\\x00")


def _import_run_fail(*, run_pk: int, message: str, errors: list | None = None, error_count: int = 0) -> None:
    """Mark the run failed with its reason. Should even that write fail, the run is still
    marked failed (with a short reason and the details in the log): it never stays "running"."""
    fields = {"status": ImportRun.Status.FAILED, "finished_at": timezone.now(), "error_count": error_count}
    try:
        with transaction.atomic():
            ImportRun.objects.filter(pk=run_pk).update(**fields, errors=errors or [], message=_storable(message))
    except DatabaseError:
        logger.exception("Import run %s: the reason of its failure could not be stored", run_pk)
        ImportRun.objects.filter(pk=run_pk).update(
            **fields, errors=[], message=_("Abgebrochen; der Grund ließ sich nicht speichern (siehe Server-Protokoll).")
        )


def import_run_execute(
    *,
    run: ImportRun,
    now,
    stream: IO[bytes] | None = None,
    on_progress=None,
    on_error=None,
) -> ImportRun:
    """Import the run's file (or `stream`), all or nothing, and record the outcome on the run.

    Progress is written to the run at most once a second, outside the import's transaction,
    so an analyst can watch it from another process.
    """
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, started_at=now)
    last_write = [0.0]

    def progress(p: Progress) -> None:
        moment = time.monotonic()
        if moment - last_write[0] >= PROGRESS_WRITE_SECONDS or p.phase != "read":
            last_write[0] = moment
            ImportRun.objects.filter(pk=run.pk).update(rows_read=p.rows, bytes_read=p.bytes_read)
        if on_progress is not None:
            on_progress(p)

    opened = None
    try:
        if stream is None:
            opened = run.file.open("rb")
            stream = opened
        result = import_stream(
            report_year=run.report_year,
            stream=stream,
            dataset=run.dataset or None,
            bytes_total=run.bytes_total,
            on_progress=progress,
            on_error=None if on_error is None else (lambda line, message: on_error(line, _storable(message))),
            now=now,
        )
    except ImportFailed as exc:
        _import_run_fail(
            run_pk=run.pk,
            message=exc.message,
            errors=[{"line": line, "message": _storable(message)} for line, message in exc.errors],
            error_count=exc.error_count,
        )
    except Exception as exc:
        _import_run_fail(run_pk=run.pk, message=_("Abgebrochen: %(error)s") % {"error": exc})
        raise
    else:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.SUCCEEDED,
            finished_at=timezone.now(),
            dataset=result.dataset,
            rows_read=result.rows,
            rows_imported=result.rows,
            bytes_read=F("bytes_total"),
            message=_("%(rows)d Zeilen importiert in %(seconds).1f s (Datenstand %(version)d).")
            % {"rows": result.rows, "seconds": result.seconds, "version": result.data_version},
        )
        report_year = ReportYear.objects.get(pk=run.report_year_id)
        if report_year.published_at is not None:
            report_files_prepare(report_year=report_year, now=now)  # the new figures as a PDF, too
    finally:
        if opened is not None:
            opened.close()
    run.refresh_from_db()
    return run


def import_runs_fail_stale(*, now) -> int:
    """Mark runs failed whose process died in the middle (they cannot record it themselves);
    called before every import, by the command and by the worker's task. Returns how many."""
    stale = ImportRun.objects.filter(status=ImportRun.Status.RUNNING, started_at__lt=now - IMPORT_RUN_STALE_AFTER)
    return stale.update(
        status=ImportRun.Status.FAILED,
        finished_at=now,
        message=_("Abgebrochen: der Import wurde nicht beendet (Prozess beendet oder Server neu gestartet)."),
    )


def import_run_enqueue(*, run: ImportRun) -> None:
    """Run the import in the background worker once the run row is committed."""
    from reports.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(run.pk))


# --- stored PDFs -------------------------------------------------------------------------------------


def report_file_request(*, report_year: ReportYear, language: str, user, now) -> ReportFile:
    """The stored PDF for the current figures, or a queued job that renders it.

    Idempotent per content: the same figures in the same language yield the same row; a
    failed job is queued again. The task starts after commit so the worker sees the row.
    """
    from reports.figures import compute_report_in, report_fingerprint

    fingerprint = report_fingerprint(compute_report_in(report_year, language=language), language=language)
    with transaction.atomic():
        report_file, created = ReportFile.objects.select_for_update().get_or_create(
            report_year=report_year,
            language=language,
            figures_hash=fingerprint,
            defaults={
                "data_version": report_year.data_version,
                "created_at": now,
                "requested_by": user if user is not None and user.is_authenticated else None,
            },
        )
        if not created and report_file.status != ReportFile.Status.FAILED:
            return report_file
        if not created:
            report_file.status = ReportFile.Status.QUEUED
            report_file.progress = 0
            report_file.error = ""
            report_file.created_at = now
            report_file.save(update_fields=["status", "progress", "error", "created_at"])
        from reports.tasks import render_report_file

        transaction.on_commit(lambda: render_report_file.enqueue(report_file.pk))
    return report_file


def report_files_prepare(*, report_year: ReportYear, now) -> list[ReportFile]:
    """Queue the PDFs of the current figures in every language (idempotent: files that exist
    or are being rendered stay as they are). Called when a report is published and when new
    data reach a published report."""
    return [
        report_file_request(report_year=report_year, language=code, user=None, now=now)
        for code, _name in settings.LANGUAGES
    ]


def current_report_file(*, report_year: ReportYear, language: str) -> ReportFile | None:
    """The newest file for the current figures (any status), or None."""
    from reports.figures import compute_report_in, report_fingerprint

    fingerprint = report_fingerprint(compute_report_in(report_year, language=language), language=language)
    return ReportFile.objects.filter(report_year=report_year, language=language, figures_hash=fingerprint).first()


def report_file_set_progress(*, report_file_id: int, progress: int, status: str | None = None, now=None) -> None:
    fields: dict = {"progress": progress}
    if status is not None:
        fields["status"] = status
    if status == ReportFile.Status.RUNNING and now is not None:
        fields["started_at"] = now
    ReportFile.objects.filter(pk=report_file_id).update(**fields)
