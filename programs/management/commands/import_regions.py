from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from programs.region_import import (
    DESTATIS_FILE,
    GEONAMES_FILE,
    PLZ_AGS_FILE,
    RegionImportError,
    import_regions,
)


class Command(BaseCommand):
    help = _(
        "Importiert Länder, Regierungsbezirke, Kreise, Gemeinden und Postleitzahlen aus dem "
        "Destatis-Gemeindeverzeichnis, den GeoNames-Postleitzahlen und der PLZ-AGS-Zuordnung "
        "(idempotent, alles oder nichts)."
    )

    def add_arguments(self, parser):
        data_dir = Path(settings.REFERENCE_DATA_DIR)
        parser.add_argument(
            "--geonames", type=Path, default=data_dir / GEONAMES_FILE, help=_("GeoNames-Postleitzahlen (CSV)")
        )
        parser.add_argument(
            "--destatis", type=Path, default=data_dir / DESTATIS_FILE, help=_("Destatis-Gemeindeverzeichnis (CSV)")
        )
        parser.add_argument(
            "--plz-ags", type=Path, default=data_dir / PLZ_AGS_FILE, help=_("PLZ-Gemeinde-Zuordnung (CSV)")
        )
        parser.add_argument("--dry-run", action="store_true", help=_("Nur prüfen, nichts speichern"))
        parser.add_argument("--batch-size", type=int, default=2000, help=_("Zeilen je Schreibvorgang"))

    def handle(self, *args, **options):
        verbose = options["verbosity"] >= 1
        try:
            result = import_regions(
                geonames=options["geonames"],
                destatis=options["destatis"],
                plz_ags=options["plz_ags"],
                dry_run=options["dry_run"],
                batch_size=max(1, options["batch_size"]),
                progress=self.stdout.write if verbose else None,
            )
        except RegionImportError as exc:
            raise CommandError(str(exc)) from exc
        if not verbose:
            return
        for note in result.notes:
            self.stdout.write(self.style.WARNING(_("Hinweis: %(note)s") % {"note": note}))
        for label, c in result.counts.items():
            line = _("%(label)s: %(created)d neu, %(updated)d geändert, %(unchanged)d unverändert") % {
                "label": label, "created": c.created, "updated": c.updated, "unchanged": c.unchanged,
            }  # fmt: skip
            if c.not_in_files:
                line += _(", %(count)d nicht mehr in den Dateien (behalten)") % {"count": c.not_in_files}
            self.stdout.write(line)
        if result.dry_run:
            self.stdout.write(self.style.SUCCESS(_("Probelauf: Die Dateien sind gültig, nichts wurde gespeichert.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Import abgeschlossen.")))
