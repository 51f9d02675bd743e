"""Words for staff: consents and event data as readable German text (not raw JSON).

Presentation only; used by the admin of participations. Unknown keys are shown with their
key, so nothing stored is hidden.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

CONSENT_LABELS = {
    "declaration": _("Teilnahmeerklärung abgegeben"),
    "data_transfer": _("Einwilligung in die Datenübermittlung"),
    "revocation_instruction": _("Widerrufsbelehrung erhalten"),
}

DATA_LABELS = {
    "declared_at": _("Erklärung abgegeben am"),
    "instructed_at": _("Widerrufsbelehrung am"),
    "revocation_deadline": _("Widerruf bis"),
    "revocation_shifts": _("Fristverschiebungen"),
    "start_date": _("Teilnahmebeginn"),
    "binding_end": _("gebunden bis"),
    "cancel_by": _("Kündigung bis"),
    "lands": _("Feiertage der Länder"),
    "signer_kind": _("unterschrieben von"),
    "confirmed_at": _("ärztliche Bestätigung am"),
    "dispatched_at": _("abgesandt am"),
    "received_at": _("eingegangen am"),
    "deadline": _("Frist"),
    "end_date": _("Teilnahme endet am"),
    "previous_term_end": _("bisheriges Laufzeitende"),
    "term_end": _("Laufzeitende"),
    "request": _("Antrag Nr."),
    "reason": _("Grund"),
    "new_provider": _("neue Praxis (Nr.)"),
    "provider": _("Praxis (Nr.)"),
    "in_binding": _("während der Bindung"),
    "effective_date": _("wirksam ab"),
}


def _value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if value is True:
        return str(_("ja"))
    if value is False:
        return str(_("nein"))
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, str):
        try:  # ISO date or moment from the services
            if len(value) == 10:
                return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
            moment = dt.datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        except ValueError:
            return value
    return str(value)


def readable(data: Mapping[str, Any] | None, labels: Mapping[str, Any]) -> str:
    """An HTML list "Label: value" of `data`; "–" when empty."""
    if not data:
        return "–"
    rows = [(labels.get(key, key), _value(value)) for key, value in data.items()]
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", rows))


def consents_text(consents: Mapping[str, Any] | None) -> str:
    return readable(consents, CONSENT_LABELS)


def event_data_text(data: Mapping[str, Any] | None) -> str:
    return readable(data, DATA_LABELS)
