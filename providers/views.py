"""Views of the providers app (thin: authorize, fetch, validate, call a selector, render)."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.caching import cache_anonymous_page, render_page
from programs.selectors import postal_code_centroid
from providers.forms import ProviderSearchForm
from providers.selectors import MAX_PAGE, ProviderFilters, nearby_providers, program_to_search


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), MAX_PAGE))
    except (TypeError, ValueError):
        return 1


@cache_anonymous_page(params=(*ProviderSearchForm.base_fields, "seite"))
def provider_search(request: HttpRequest) -> HttpResponse:
    """Providers taking part in a program (today), nearest to a PLZ first."""
    today = timezone.localdate()
    slug = (request.GET.get("programm") or "").strip()[:120]
    slug_ok = bool(re.fullmatch(r"[-a-zA-Z0-9_]+", slug))
    bound = "plz" in request.GET
    form = ProviderSearchForm(request.GET if bound else None, initial={"programm": slug})
    program = program_to_search(slug, on=today) if slug_ok else None
    results = None
    if bound and form.is_valid():
        data = form.cleaned_data
        if slug and program is None:
            form.add_error(None, _("Dieses Programm finden wir nicht. Bitte wählen Sie es im Programmverzeichnis aus."))
        else:
            origin = postal_code_centroid(data["plz"])
            if origin is None:
                form.add_error(
                    "plz",
                    _("Die Postleitzahl %(plz)s kennen wir nicht. Bitte prüfen Sie die Eingabe.")
                    % {"plz": data["plz"]},
                )
            else:
                filters = ProviderFilters(
                    kinds=(data["art"],) if data.get("art") else (),
                    specialty=data.get("fachrichtung") or "",
                    accessibility=tuple(data.get("barrierefrei") or ()),
                    accepts_new_patients=bool(data.get("neue_patienten")),
                    name=data.get("name") or "",
                )
                results = nearby_providers(
                    origin=origin,
                    contract_ids=[c.pk for c in program.current_contracts] if program is not None else None,
                    on=today,
                    filters=filters,
                    page=_page_number(request.GET.get("seite")),
                    radius_km=data.get("umkreis"),
                )
    context = {"form": form, "program": program, "results": results}
    template = "providers/provider_search.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render_page(request, template, context)
