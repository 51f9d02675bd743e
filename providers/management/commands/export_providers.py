"""`manage.py export_providers [--art leistungserbringer|teilnahmen] [--kasse SLUG] [-o FILE]`

Writes providers or their participations in the import format (docs/import-formats.md), so
that exporting and importing again changes nothing.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from programs.models import Fund
from providers.csv_io import export_participations, export_providers
from providers.models import ContractParticipation, Provider


class Command(BaseCommand):
    help = "Leistungserbringer oder Vertragsteilnahmen als CSV exportieren (Importformat)."

    def add_arguments(self, parser):
        parser.add_argument("--art", choices=["leistungserbringer", "teilnahmen"], default="leistungserbringer")
        parser.add_argument("--kasse", help="nur Verträge dieser Krankenkasse (Teilnahmen)")
        parser.add_argument("-o", "--output", help="Datei (Standard: Ausgabe)")

    def handle(self, *args, art: str, kasse: str | None, output: str | None, **options):
        if art == "leistungserbringer":
            text = export_providers(Provider.objects.all())
        else:
            qs = ContractParticipation.objects.all()
            if kasse:
                fund = Fund.objects.filter(slug=kasse).first()
                if fund is None:
                    raise CommandError(f"Unbekannte Krankenkasse: {kasse}")
                qs = qs.filter(contract__fund=fund)
            text = export_participations(qs)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        else:
            sys.stdout.write(text)
