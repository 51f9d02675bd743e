"""Impressum, privacy notice, accessibility statement (with its feedback form), Leichte Sprache.

Each page exists in German and English; the English pages say that the German text binds.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from legal.forms import FeedbackForm
from legal.models import LegalInformation
from legal.services import FeedbackLimitReached, feedback_submit


def _page(request, page: str, extra: dict | None = None):
    info = LegalInformation.current()
    language = "en" if (get_language() or "de").startswith("en") else "de"
    context = {"info": info, "missing": info.missing(page) if page in info.REQUIRED else [], **(extra or {})}
    return render(request, f"legal/{language}/{page}.html", context)


def imprint(request):
    return _page(request, "imprint")


def privacy(request):
    return _page(request, "privacy")


def easy_language(request):
    return _page(request, "easy_language")


def accessibility(request):
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_submit(**form.cleaned_data, client_key=request.META.get("REMOTE_ADDR", "unknown"))
        except FeedbackLimitReached:
            form.add_error(
                None,
                _(
                    "Sie haben in der letzten Stunde schon mehrere Rückmeldungen geschickt. Bitte versuchen Sie es später noch einmal oder schreiben Sie uns eine E-Mail."
                ),
            )
        else:
            messages.success(request, _("Vielen Dank. Ihre Rückmeldung ist bei uns eingegangen."))
            return redirect("accessibility")
    return _page(request, "accessibility", {"form": form})
