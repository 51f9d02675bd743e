"""Write generated report data as CSV files (docs/report-data.md).

    manage.py generate_report_data /tmp/aok-plus-2023                 # the published AOK PLUS 2023 figures, pre-aggregated
    manage.py generate_report_data /tmp/aok-plus-2023 --case-level    # the same as 14.7 million case rows
    manage.py generate_report_data /tmp/sample --rows 50000 --case-level --year 2023 --seed 3

Both formats of the same data import to identical rollups.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand

from devdata.report_generator import aok_plus_2023, sample, scaled, write_aggregated, write_case_level


class Command(BaseCommand):
    help = "Erzeugt Berichtsdaten (CSV): AOK PLUS 2023 wie veröffentlicht oder plausible Varianten."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--case-level", action="store_true", help="Einzelfälle statt aggregierter Gruppen")
        parser.add_argument("--rows", type=int, help="kleine Stichprobe mit etwa so vielen Antragszeilen")
        parser.add_argument("--factor", type=float, help="Volumen relativ zu AOK PLUS 2023 (plausible Variante)")
        parser.add_argument("--year", type=int, default=2023)
        parser.add_argument("--seed", type=int, default=1)

    def handle(
        self,
        *args,
        directory: Path,
        case_level: bool,
        rows: int | None,
        factor: float | None,
        year: int,
        seed: int,
        **options,
    ):
        data = aok_plus_2023()
        if rows:
            data = sample(data, rows=rows, seed=seed)
            data.year = year
        elif factor or year != 2023:
            data = scaled(data, year=year, factor=factor or 1.0, seed=seed)
        started = time.monotonic()
        if case_level:
            paths = write_case_level(
                data,
                directory,
                on_progress=lambda n: self.stdout.write(f"\r  {n:,} Zeilen".replace(",", "."), ending=""),
            )
            self.stdout.write("")
        else:
            paths = write_aggregated(data, directory)
        for path in paths:
            self.stdout.write(f"{path} ({path.stat().st_size:,} Bytes)".replace(",", "."))
        self.stdout.write(
            self.style.SUCCESS(
                f"{data.application_count:,} Anträge in {time.monotonic() - started:.1f} s".replace(",", ".")
            )
        )
