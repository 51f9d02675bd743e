"""Calendar file (RFC 5545) with the deadlines of one participation.

All-day events, so a calendar shows the day the same way in every time zone; the
revocation event says "bis 24:00 Uhr". Stable UIDs let a repeated import update the entries
instead of duplicating them. No program name in the summary (calendars are often shared);
the description links to the status page.
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _

from enrollment.lifecycle import BOUND_STATUSES, DECLARED_STATUSES, ENDING_STATUSES, RENEWABLE_STATUSES
from enrollment.models import Participation


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold lines longer than 75 octets (RFC 5545 §3.1)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def deadline_events(p: Participation) -> list[tuple[str, dt.date, str, str]]:
    """(uid-suffix, day, summary, description) for every date still relevant."""
    events = []
    if p.status in DECLARED_STATUSES and p.revocation_deadline:
        events.append(
            (
                "widerruf",
                p.revocation_deadline,
                _("Letzter Tag für einen Widerruf"),
                _("Ein Widerruf ist bis %(day)s, 24:00 Uhr möglich (Absendung genügt).")
                % {"day": formats.date_format(p.revocation_deadline, "d.m.Y")},
            )
        )
    if p.start_date and p.status in BOUND_STATUSES:
        events.append(("beginn", p.start_date, _("Beginn der Teilnahme"), ""))
    if p.status in RENEWABLE_STATUSES and p.cancel_by:
        events.append(
            (
                f"kuendigung-{p.cancel_by.isoformat()}",
                p.cancel_by,
                _("Letzter Tag für eine Kündigung (Eingang)"),
                _("Geht die Kündigung bis zu diesem Tag ein, endet die Teilnahme am %(end)s.")
                % {"end": formats.date_format(p.term_end, "d.m.Y")},
            )
        )
    if p.binding_end and p.status in BOUND_STATUSES:
        events.append(("bindung", p.binding_end, _("Ende der Mindestbindung"), ""))
    if p.end_date and p.status in ENDING_STATUSES:
        events.append(("ende", p.end_date, _("Letzter Tag der Teilnahme"), ""))
    return events


def participation_ics(p: Participation, *, now: dt.datetime, link: str, host: str = "versorgungslotse") -> str:
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Versorgungslotse//Fristen//DE",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for suffix, day, summary, description in deadline_events(p):
        text = f"{description}\n{link}".strip()
        lines += [
            "BEGIN:VEVENT",
            f"UID:teilnahme-{p.pk}-{suffix}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape(text)}",
            f"URL:{link}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
