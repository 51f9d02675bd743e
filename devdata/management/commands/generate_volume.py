from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from devdata.volume import NoPlaces, generate_volume


class Command(BaseCommand):
    help = _(
        "Erzeugt große synthetische Datenmengen (Leistungserbringer mit Vertragsteilnahmen, Versicherte, "
        "Programme) für Lasttests. Setzt import_regions (oder seed_demo) voraus."
    )

    def add_arguments(self, parser):
        parser.add_argument("--providers", type=int, default=0, help=_("Anzahl Leistungserbringer"))
        parser.add_argument("--insured", type=int, default=0, help=_("Anzahl Versicherte"))
        parser.add_argument("--programs", type=int, default=0, help=_("Anzahl zusätzlicher Programme mit Verträgen"))
        parser.add_argument("--seed", type=int, default=1, help=_("Startwert des Zufallsgenerators"))
        parser.add_argument("--batch-size", type=int, default=5000, help=_("Zeilen je Schreibvorgang"))

    def handle(self, *args, **options):
        if min(options["providers"], options["insured"], options["programs"]) < 0:
            raise CommandError(_("Die Anzahlen dürfen nicht negativ sein."))
        verbose = options["verbosity"] >= 1
        started = time.perf_counter()
        try:
            result = generate_volume(
                providers=options["providers"],
                insured=options["insured"],
                programs=options["programs"],
                seed=options["seed"],
                today=timezone.localdate(),
                batch_size=max(1, options["batch_size"]),
                progress=self.stdout.write if verbose else None,
            )
        except NoPlaces as exc:
            raise CommandError(str(exc)) from exc
        if not verbose:
            return
        self.stdout.write(
            _(
                "%(programs)d Programme mit %(contracts)d Verträgen, %(providers)d Leistungserbringer mit "
                "%(participations)d Vertragsteilnahmen, %(insured)d Versicherte erzeugt."
            )
            % vars(result)
        )
        phases = ", ".join(f"{label} {seconds:.1f} s" for label, seconds in result.seconds.items())
        self.stdout.write(
            self.style.SUCCESS(
                _("Fertig in %(total).1f s (%(phases)s).") % {"total": time.perf_counter() - started, "phases": phases}
            )
        )
