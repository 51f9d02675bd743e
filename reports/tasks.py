"""Background work of the reports app (Django tasks API; `manage.py db_worker` runs them with
django-tasks-db, tests run them inline with the ImmediateBackend).

Both tasks take a primary key and are safe to run twice: a finished PDF or import is left
alone.
"""

from __future__ import annotations

import time
import traceback

from django.core.files.base import ContentFile
from django.tasks import task
from django.utils import timezone

from reports.models import ImportRun, ReportFile


@task
def render_report_file(report_file_id: int) -> dict:
    """Render the PDF of a `ReportFile` and store it; progress 0–100 on the row."""
    from reports.figures import compute_report_in, report_fingerprint
    from reports.pdf import render_pdf
    from reports.services import report_file_set_progress

    report_file = ReportFile.objects.select_related("report_year__fund").get(pk=report_file_id)
    if report_file.status == ReportFile.Status.DONE:
        return {"status": "done", "skipped": True}
    report_file_set_progress(
        report_file_id=report_file.pk, progress=5, status=ReportFile.Status.RUNNING, now=timezone.now()
    )
    started = time.perf_counter()
    try:
        report = compute_report_in(report_file.report_year, language=report_file.language)
        if report_fingerprint(report, language=report_file.language) != report_file.figures_hash:
            # the data changed after the request: render what is current, under its own hash
            raise RuntimeError("Die Daten haben sich geändert; bitte das PDF erneut anfordern.")
        report_file_set_progress(report_file_id=report_file.pk, progress=10)
        pdf, pages = render_pdf(
            report,
            language=report_file.language,
            on_progress=lambda value: report_file_set_progress(report_file_id=report_file.pk, progress=value),
        )
        name = f"transparenzbericht-{report_file.report_year.fund.slug}-{report_file.report_year.year}-{report_file.figures_hash[:12]}.pdf"
        report_file.file.save(name, ContentFile(pdf), save=False)
        report_file.size = len(pdf)
        report_file.pages = pages
        report_file.status = ReportFile.Status.DONE
        report_file.progress = 100
        report_file.finished_at = timezone.now()
        report_file.render_seconds = time.perf_counter() - started
        report_file.error = ""
        report_file.save(
            update_fields=["file", "size", "pages", "status", "progress", "finished_at", "render_seconds", "error"]
        )
    except Exception as exc:
        ReportFile.objects.filter(pk=report_file.pk).update(
            status=ReportFile.Status.FAILED,
            error=f"{exc}\n\n{traceback.format_exc(limit=5)}",
            finished_at=timezone.now(),
        )
        raise
    return {"status": "done", "pages": pages, "seconds": report_file.render_seconds}


@task
def run_import(import_run_id: int) -> dict:
    """Import an uploaded CSV file (admin upload) into its report year."""
    from reports.services import import_run_execute, import_runs_fail_stale

    import_runs_fail_stale(now=timezone.now())
    run = ImportRun.objects.select_related("report_year").get(pk=import_run_id)
    if run.status != ImportRun.Status.QUEUED:
        return {"status": run.status, "skipped": True}
    run = import_run_execute(run=run, now=timezone.now())
    return {"status": run.status, "rows": run.rows_imported, "errors": run.error_count}
