"""Import report data from CSV files (docs/report-data.md) into one fund's report year.

    manage.py import_report_data --fund aok-plus --year 2023 data/*.csv

Each file is imported all or nothing; the format is recognised by the header line. Broken
rows are printed with their line numbers (every one of them) and nothing of that file is
imported; the exit status is 1 if any file failed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from programs.models import Fund
from reports import services
from reports.forms import ImportUploadForm
from reports.imports import Progress
from reports.models import Dataset, ImportRun

MIN_YEAR = ImportUploadForm.base_fields["year"].min_value
MAX_YEAR = ImportUploadForm.base_fields["year"].max_value


class Command(BaseCommand):
    help = "Importiert Berichtsdaten (CSV) für eine Kasse und ein Berichtsjahr."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help="CSV-Dateien (Formate: docs/report-data.md)")
        parser.add_argument("--fund", required=True, help="Kasse: Kurzname (slug, z. B. aok-plus) oder IK")
        parser.add_argument("--year", required=True, type=int, help="Berichtsjahr")
        parser.add_argument("--dataset", choices=Dataset.values, help="Format erzwingen (sonst aus der Kopfzeile)")
        parser.add_argument("--quiet-errors", action="store_true", help="nur die Zahl der fehlerhaften Zeilen ausgeben")

    def handle(
        self, *args, files: list[Path], fund: str, year: int, dataset: str | None, quiet_errors: bool, **options
    ):
        fund_obj = Fund.objects.filter(Q(slug=fund) | Q(ik=fund)).first()
        if fund_obj is None:
            raise CommandError(f"Unbekannte Kasse: {fund}")
        if not MIN_YEAR <= year <= MAX_YEAR:
            # the same range as the admin upload; a negative or huge year would fail in the database
            raise CommandError(f"Das Berichtsjahr muss zwischen {MIN_YEAR} und {MAX_YEAR} liegen, nicht {year}.")
        report_year = services.report_year_get_or_create(fund=fund_obj, year=year)
        if stale := services.import_runs_fail_stale(now=timezone.now()):
            self.stderr.write(f"{stale} abgebrochene(r) Import(e) als fehlgeschlagen markiert.")
        failed = 0
        for path in files:
            if not path.is_file():
                raise CommandError(f"Datei nicht gefunden: {path}")
            failed += not self._import(report_year, path, dataset, quiet_errors)
        if failed:
            raise CommandError(f"{failed} Datei(en) nicht importiert.")

    def _import(self, report_year, path: Path, dataset: str | None, quiet_errors: bool) -> bool:
        size = path.stat().st_size
        run = services.import_run_create(
            report_year=report_year,
            original_name=str(path),
            dataset=dataset or "",
            now=timezone.now(),
            bytes_total=size,
        )
        started = time.monotonic()
        tty = self.stdout.isatty()

        def on_progress(p: Progress) -> None:
            elapsed = max(time.monotonic() - started, 1e-6)
            phase = {"read": "prüfen", "write": "schreiben", "done": "fertig"}.get(p.phase, p.phase)
            line = f"  {path.name}: {p.percent:3d} % · {p.rows:,} Zeilen · {p.rows / elapsed:,.0f} Zeilen/s · {phase}".replace(
                ",", "."
            )
            if tty:
                self.stdout.write("\r" + line, ending="")
                self.stdout.flush()
            else:
                self.stdout.write(line)

        def on_error(line: int, message: str) -> None:
            if not quiet_errors:
                self.stderr.write(f"{path.name}, Zeile {line}: {message}")

        self.stdout.write(f"{path} → {report_year} ({size:,} Bytes)".replace(",", "."))
        try:
            with path.open("rb") as stream:
                run = services.import_run_execute(
                    run=run, now=timezone.now(), stream=stream, on_progress=on_progress, on_error=on_error
                )
        except Exception as exc:  # the run is marked failed with the reason; no traceback for the operator
            run.refresh_from_db()
            raise CommandError(f"{path.name}: {run.message or exc}") from exc
        if tty:
            self.stdout.write("")
        if run.status == ImportRun.Status.SUCCEEDED:
            self.stdout.write(self.style.SUCCESS(f"  {run.get_dataset_display()}: {run.message}"))
            return True
        self.stderr.write(self.style.ERROR(f"  {path.name}: {run.message}"))
        sys.stderr.flush()
        return False
