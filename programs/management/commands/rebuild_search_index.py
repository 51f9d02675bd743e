"""Recompute the programs' search columns and vocabulary, and invalidate cached pages.

Needed after writes that bypass Program.save() and the bulk methods of its manager, e.g.
`Program.objects.update(...)` or raw SQL (programs/search.py, programs/caching.py).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from programs.caching import bump_catalogue_version
from programs.search import rebuild_search_columns


class Command(BaseCommand):
    help = _("Berechnet die Suchspalten und das Suchvokabular aller Programme neu und leert den Seiten-Cache.")

    def handle(self, *args, **options):
        changed = rebuild_search_columns()
        bump_catalogue_version()
        self.stdout.write(_("%(n)d Programme aktualisiert, Seiten-Cache geleert.") % {"n": changed})
