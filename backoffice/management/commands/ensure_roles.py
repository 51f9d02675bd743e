"""Create or correct the staff role groups and their permissions (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from backoffice.roles import ensure_roles


class Command(BaseCommand):
    help = "Legt die Rollen (Gruppen mit Berechtigungen) der Verwaltung an oder korrigiert sie."

    def handle(self, *args, **options):
        result = ensure_roles()
        for label, names in (
            ("angelegt", result.created),
            ("korrigiert", result.updated),
            ("unverändert", result.unchanged),
        ):
            for name in names:
                self.stdout.write(f"{name}: {label}")
