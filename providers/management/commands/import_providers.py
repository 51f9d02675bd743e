"""`manage.py import_providers FILE [--art leistungserbringer|teilnahmen] [--kasse SLUG] [--dry-run]`

Imports providers or their participations in contracts from a CSV file (docs/import-formats.md):
all rows or none. Prints every wrong row with its line number; exit status 1 when there are
any. `--dry-run` checks and counts without writing; `--kasse` refuses rows of other funds'
contracts (participations).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programs.models import Fund
from providers.csv_io import import_participations, import_providers

KINDS = {"leistungserbringer": "providers", "teilnahmen": "participations"}


class Command(BaseCommand):
    help = "Leistungserbringer oder Vertragsteilnahmen aus einer CSV-Datei importieren (alles oder nichts)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV-Datei (UTF-8, Semikolon)")
        parser.add_argument("--art", choices=sorted(KINDS), default="leistungserbringer")
        parser.add_argument("--kasse", help="nur Verträge dieser Krankenkasse (Kürzel, z. B. aok-bw)")
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen und zählen, nichts speichern")

    def handle(self, *args, file: str, art: str, kasse: str | None, dry_run: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Datei nicht gefunden: {file}")
        data = path.read_bytes()
        if KINDS[art] == "providers":
            result = import_providers(data, dry_run=dry_run)
        else:
            fund_ids = None
            if kasse:
                fund = Fund.objects.filter(slug=kasse).first()
                if fund is None:
                    raise CommandError(f"Unbekannte Krankenkasse: {kasse}")
                fund_ids = [fund.pk]
            result = import_participations(data, fund_ids=fund_ids, dry_run=dry_run)
        for error in result.errors:
            self.stderr.write(f"Zeile {error.line}: {error.message}")
        if not result.ok:
            raise CommandError(f"{len(result.errors)} Fehler in {result.rows} Zeilen – nichts importiert.")
        prefix = "[Probelauf] " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{result.rows} Zeilen: {result.created} neu, {result.updated} geändert, "
                f"{result.unchanged} unverändert."
            )
        )
