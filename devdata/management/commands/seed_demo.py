from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from devdata.catalogue import seed_demo
from devdata.data.accounts import DEMO_PASSWORD, LOGINS
from programs.models import Contract, PostalCode, Program
from providers.models import ContractParticipation, Provider


class Command(BaseCommand):
    help = _(
        "Legt die Demo-Daten an oder bringt sie auf den Stand der Datendateien: Regionen, die 11 AOKs, "
        "Programme mit Verträgen, Leistungserbringer und die Demo-Zugänge (idempotent, in einer Transaktion)."
    )

    def handle(self, *args, **options):
        result = seed_demo(stdout=self.stdout)
        if options["verbosity"] >= 1:
            self.stdout.write(_("Demo-Daten (neu / geändert / unverändert):"))
            width = max(len(label) for label in result.tallies)
            for label, tally in result.tallies.items():
                self.stdout.write(f"  {label:<{width}}  {tally}")
            for step in result.steps:
                self.stdout.write(_("  Erweiterung %(hook)s") % {"hook": step})
            self.stdout.write(
                _(
                    "Bestand: %(programs)d Programme, %(contracts)d Verträge, %(providers)d Leistungserbringer, "
                    "%(participations)d Vertragsteilnahmen, %(plz)d Postleitzahl-Orte – in %(seconds).1f s."
                )
                % {
                    "programs": Program.objects.count(),
                    "contracts": Contract.objects.count(),
                    "providers": Provider.objects.count(),
                    "participations": ContractParticipation.objects.count(),
                    "plz": PostalCode.objects.count(),
                    "seconds": result.seconds,
                }
            )
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(_("Demo-Zugänge (Passwort für alle: %(password)s)") % {"password": DEMO_PASSWORD})
        )
        width = max(len(username) for username, _role, _hint in LOGINS)
        for username, role, hint in LOGINS:
            self.stdout.write(f"  {username:<{width}}  {role}")
            self.stdout.write(f"  {'':<{width}}  → {hint}")
