"""Words for people about a participation: the steps of the status page (declared →
revocation window → doctor → start → binding → cancellation/renewal → end) and the
contract's start rule in plain words. Presentation only; beside `ics.py` and `receipts.py`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from enrollment.lifecycle import BEGUN_STATUSES, ENDING_STATUSES, RENEWABLE_STATUSES, VOID_STATUSES, Status
from enrollment.models import EventReason, Participation
from programs import dates
from programs.terms.policy import start_rule_text


@dataclass
class TimelineStep:
    """One step of the status page: `state` is "done", "current" or "upcoming"."""

    title: str
    when: str
    text: str = ""
    state: str = "upcoming"


def _d(day: dt.date | None) -> str:
    return dates.weekday_date(day)


def _dt(value: dt.datetime | None) -> str:
    return dates.moment(value)


def timeline(participation: Participation, *, now: dt.datetime) -> list[TimelineStep]:
    """declared → revocation window → (doctor) → start → binding → cancellation/renewal → end,
    each with its date and reason; derived from the stored dates and the status."""
    p = participation
    today = timezone.localdate(now)
    steps: list[TimelineStep] = []
    closed_void = p.status in VOID_STATUSES

    signer = _("von der gesetzlichen Vertretung (%(name)s)") % {"name": p.signer} if p.signer_id else _("selbst")
    steps.append(
        TimelineStep(
            _("Erklärung abgegeben"),
            _dt(p.declared_at),
            _("Weg: %(channel)s; unterschrieben %(signer)s.") % {"channel": p.get_channel_display(), "signer": signer},
            "done",
        )
    )

    if p.is_dmp:
        if p.doctor_confirmed_at:
            steps.append(
                TimelineStep(
                    _("Ärztliche Bestätigung"),
                    _dt(p.doctor_confirmed_at),
                    _("Die behandelnde Praxis hat die Diagnose bestätigt."),
                    "done",
                )
            )
        elif not closed_void:
            steps.append(
                TimelineStep(
                    _("Ärztliche Bestätigung"),
                    _("ausstehend"),
                    _(
                        "Ohne Bestätigung der behandelnden Ärztin oder des behandelnden Arztes "
                        "(mit Erstdokumentation) beginnt kein DMP."
                    ),
                    "current",
                )
            )
        steps.append(
            TimelineStep(
                _("Widerruf der Einwilligung"),
                _("jederzeit"),
                _("Im DMP können Sie Ihre Einwilligung jederzeit ohne Frist widerrufen."),
                "done" if closed_void else "upcoming",
            )
        )
    elif p.revocation_deadline is None:
        steps.append(
            TimelineStep(
                _("Widerrufsfrist"),
                _("noch nicht begonnen"),
                _(
                    "Die Frist beginnt erst mit der Belehrung über das Widerrufsrecht; bis dahin können "
                    "Sie jederzeit widerrufen."
                ),
                "current" if p.is_open else "done",
            )
        )
    else:
        detail = p.revocation_deadline_detail()
        shifted = ""
        if detail and detail.shifts:
            shifted = " " + _(
                "Verschoben nach § 193 BGB, weil das rechnerische Fristende (%(raw)s) auf einen "
                "Samstag, Sonntag oder Feiertag fiel: %(why)s."
            ) % {
                "raw": dates.short_date(detail.raw_last_day),
                "why": "; ".join(f"{formats.date_format(s.day, 'MONTH_DAY_FORMAT')} {s.text}" for s in detail.shifts),
            }
        open_now = p.can_revoke(now=now)
        if p.status == Status.REVOKED:
            state, text = (
                "done",
                _("Widerrufen am %(when)s – die Teilnahme ist damit von Anfang an unwirksam.")
                % {"when": _dt(p.revoked_at)},
            )
        elif open_now:
            days = p.revocation_days_left(now=now)
            if days == 0:
                left = _("Heute ist der letzte Tag.")
            else:
                left = _("Noch %(days)s Tage.") % {"days": days} if days != 1 else _("Noch 1 Tag.")
            state, text = "current", _("Sie können ohne Angabe von Gründen widerrufen. %(left)s") % {"left": left}
        else:
            state, text = "done", _("Die Widerrufsfrist ist abgelaufen.")
        steps.append(
            TimelineStep(
                _("Widerrufsfrist"),
                _("bis einschließlich %(day)s, 24:00 Uhr") % {"day": _d(p.revocation_deadline)},
                text + shifted,
                state,
            )
        )

    if closed_void:
        if p.status == Status.REJECTED:
            rejected = p.events.filter(reason_code=EventReason.REJECTED).order_by("-at").first()
            steps.append(TimelineStep(_("Abgelehnt"), _dt(p.rejected_at), rejected.text if rejected else "", "done"))
        return steps

    if p.start_date:
        started = p.status in BEGUN_STATUSES
        steps.append(
            TimelineStep(
                _("Teilnahme ab") if started else _("Beginn der Teilnahme"),
                _d(p.start_date),
                start_rule_text(p.contract),
                "done" if started else ("current" if not p.can_revoke(now=now) or p.is_dmp else "upcoming"),
            )
        )
    elif not p.is_dmp:
        steps.append(TimelineStep(_("Beginn der Teilnahme"), _("steht noch nicht fest"), start_rule_text(p.contract)))

    if p.binding_end:
        steps.append(
            TimelineStep(
                _("Gebunden bis"),
                _d(p.binding_end),
                _(
                    "Mindestens so lange sind Sie an die Teilnahme und die gewählte Praxis gebunden; ein Praxiswechsel ist "
                    "in dieser Zeit nur aus wichtigem Grund möglich."
                ),
                "done" if today > p.binding_end else ("current" if p.status == Status.ACTIVE else "upcoming"),
            )
        )
    if p.status in RENEWABLE_STATUSES and p.cancel_by:
        c = p.contract
        if c.renewal_months:
            text = _(
                "Kündigung muss bis zu diesem Tag eingehen, dann endet die Teilnahme am %(end)s. Sonst verlängert "
                "sie sich um %(months)s Monate. Die Frist verschiebt sich nicht auf den nächsten Werktag."
            ) % {"end": dates.short_date(p.term_end), "months": c.renewal_months}
        else:
            text = _("Die Teilnahme endet ohne Verlängerung am %(end)s.") % {"end": dates.short_date(p.term_end)}
        steps.append(
            TimelineStep(_("Nächster Kündigungstermin"), _("Eingang bis %(day)s") % {"day": _d(p.cancel_by)}, text)
        )
    if p.status in ENDING_STATUSES:
        reason = EventReason(p.end_reason).label if p.end_reason in EventReason.values else ""
        steps.append(
            TimelineStep(
                _("Teilnahme endet am") if p.status == Status.ENDING else _("Teilnahme beendet am"),
                _d(p.end_date),
                _("Grund: %(reason)s") % {"reason": reason} if reason else "",
                "done" if p.status == Status.ENDED else "current",
            )
        )
    return steps
