"""`manage.py enrollment_daily [--dry-run] [--date YYYY-MM-DD]` — run once a day (cron/systemd).

Moves participations whose revocation window closed or whose start date arrived, applies
doctor changes, renews, ends, and sends cancellation reminders; prints what it did.
Idempotent: a second run on the same day does nothing. `--dry-run` changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from enrollment.daily import run_daily
from programs.terms.deadlines import BERLIN


class Command(BaseCommand):
    help = "Tageslauf der Teilnahmen: Beginn, Verlängerung, Ende, Erinnerungen (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Nur anzeigen, nichts speichern und nichts versenden."
        )
        parser.add_argument("--date", help="Stichtag JJJJ-MM-TT (Standard: heute, Europe/Berlin).")

    def handle(self, *args, dry_run: bool = False, date: str | None = None, **options):
        now = timezone.now()
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date erwartet JJJJ-MM-TT, nicht {date!r}") from None
            if day != timezone.localdate(now):
                # A chosen day runs as of 00:30 that day (after the previous day's 24:00 deadlines).
                now = dt.datetime.combine(day, dt.time(0, 30), tzinfo=BERLIN)
        report = run_daily(now=now, dry_run=dry_run)
        prefix = "[Probelauf] " if dry_run else ""
        self.stdout.write(f"{prefix}Tageslauf für {report.day:%d.%m.%Y}")
        for line in report.lines:
            self.stdout.write(f"  {line}")
        for line in report.errors:
            self.stderr.write(f"  übersprungen – {line}")
        if report.counts:
            summary = ", ".join(f"{step}: {count}" for step, count in report.counts.items())
        else:
            summary = "nichts zu tun"
        self.stdout.write(self.style.SUCCESS(f"{prefix}Ergebnis: {summary}"))
