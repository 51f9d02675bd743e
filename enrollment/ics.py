"""Calendar file (RFC 5545) with the deadlines of one participation.

All-day events, so a calendar shows the day the same way in every time zone; the
revocation event says "bis 24:00 Uhr". Stable UIDs let a repeated import update the entries
instead of duplicating them.

The summary names the program, so the entry is understandable on its own — except for a
DMP, whose title names a condition: calendars are often shared or synchronised to other
devices, so a DMP's summary says "Behandlungsprogramm (DMP)" and only the description (seen
when the entry is opened) carries the title. The deadlines a person acts on (last day to
revoke, last day for a cancellation to arrive) carry a reminder three days before.

When a participation is revoked or rejected, the file keeps the same UIDs with
`STATUS:CANCELLED` and a higher `SEQUENCE`: importing it again removes the entries instead
of leaving a start date that will never come.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from enrollment.lifecycle import (
    BOUND_STATUSES,
    DECLARED_STATUSES,
    ENDING_STATUSES,
    RENEWABLE_STATUSES,
    VOID_STATUSES,
)
from enrollment.models import Participation
from programs import dates
from programs.models import ProgramType

#: Days before a deadline the calendar reminds the person.
REMINDER_DAYS = 3


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
    if p.status in VOID_STATUSES:
        return []
    if p.status in DECLARED_STATUSES and p.revocation_deadline:
        events.append(
            (
                "widerruf",
                p.revocation_deadline,
                _("Letzter Tag für einen Widerruf"),
                _("Ein Widerruf ist bis %(day)s, 24:00 Uhr möglich (Absendung genügt).")
                % {"day": dates.short_date(p.revocation_deadline)},
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
                % {"end": dates.short_date(p.term_end)},
            )
        )
    if p.binding_end and p.status in BOUND_STATUSES:
        events.append(("bindung", p.binding_end, _("Ende der Mindestbindung"), ""))
    if p.end_date and p.status in ENDING_STATUSES:
        events.append(("ende", p.end_date, _("Letzter Tag der Teilnahme"), ""))
    return events


def _cancelled_events(p: Participation) -> list[tuple[str, dt.date, str, str]]:
    """The entries an earlier download may have put into a calendar, to be cancelled."""
    events = []
    if p.revocation_deadline:
        events.append(("widerruf", p.revocation_deadline, _("Letzter Tag für einen Widerruf"), ""))
    if p.start_date:
        events.append(("beginn", p.start_date, _("Beginn der Teilnahme"), ""))
    if p.cancel_by:
        events.append(
            (f"kuendigung-{p.cancel_by.isoformat()}", p.cancel_by, _("Letzter Tag für eine Kündigung (Eingang)"), "")
        )
    if p.binding_end:
        events.append(("bindung", p.binding_end, _("Ende der Mindestbindung"), ""))
    return events


def _program_label(p: Participation) -> str:
    program = p.contract.program
    if program.program_type == ProgramType.DMP:
        return _("Behandlungsprogramm (DMP)")
    return program.title


def participation_ics(p: Participation, *, now: dt.datetime, link: str, host: str = "versorgungslotse") -> str:
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Versorgungslotse//Fristen//DE",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    void = p.status in VOID_STATUSES
    label = _program_label(p)
    title = p.contract.program.title
    for suffix, day, summary, description in _cancelled_events(p) if void else deadline_events(p):
        if void:
            description = _("Diese Teilnahme besteht nicht mehr (%(status)s); der Termin entfällt.") % {
                "status": p.get_status_display()
            }
        text = f"{title}\n{description}\n{link}".strip()
        lines += [
            "BEGIN:VEVENT",
            f"UID:teilnahme-{p.pk}-{suffix}@{host}",
            f"DTSTAMP:{stamp}",
            f"SEQUENCE:{1 if void else 0}",
            f"STATUS:{'CANCELLED' if void else 'CONFIRMED'}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(f'{label}: {summary}')}",
            f"DESCRIPTION:{_escape(text)}",
            f"URL:{link}",
            "TRANSP:TRANSPARENT",
        ]
        if not void and (suffix == "widerruf" or suffix.startswith("kuendigung")):
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                f"TRIGGER:-P{REMINDER_DAYS}D",
                f"DESCRIPTION:{_escape(f'{label}: {summary}')}",
                "END:VALARM",
            ]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
