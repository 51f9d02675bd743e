"""`manage.py ensure_aoks` — create or correct the eleven AOKs and their regions (idempotent).

A first-run step (docs/deployment.md), after `import_regions`; safe to repeat after upgrades.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from programs.services import ensure_aoks


class Command(BaseCommand):
    help = "Legt die elf AOKs und ihre Regionen an oder korrigiert sie (wiederholbar)."

    def handle(self, *args, **options):
        funds = ensure_aoks()
        self.stdout.write(f"{len(funds)} AOKs: " + ", ".join(f.short_name or f.name for f in funds))
