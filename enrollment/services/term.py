"""The running participation: start on the start date, renewal of the term, end, and the
staff rejection of a declaration."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from enrollment.lifecycle import (
    RENEWABLE_STATUSES,
    EnrollmentError,
    Status,
    ensure_transition,
)
from enrollment.models import (
    Channel,
    EventReason,
    Participation,
)
from enrollment.services._common import (
    _close_pending_requests,
    _date,
    _iso,
    _lock,
    _move,
    _notify_status_changed_on_commit,
    _record,
    _today,
)
from programs.terms.schedule import terms_for


def participation_start(*, participation: Participation, now: dt.datetime, actor=None) -> Participation:
    """awaiting_start (or submitted, when the start comes before the window closes) → active,
    on or after the start date."""
    with transaction.atomic():
        p = _lock(participation)
        ensure_transition(p.status, Status.ACTIVE)
        if p.start_date is None or p.start_date > _today(now):
            raise EnrollmentError(_("Die Teilnahme beginnt erst am %(date)s.") % {"date": _date(p.start_date)})
        _move(
            p, Status.ACTIVE, reason=EventReason.STARTED, now=now, actor=actor, data={"start_date": _iso(p.start_date)}
        )
        return p


def participation_renew(*, participation: Participation, now: dt.datetime) -> Participation:
    """The cancellation deadline of the running term passed without a cancellation: the
    participation renews by `renewal_months` (status unchanged, event "renewed")."""
    with transaction.atomic():
        p = _lock(participation)
        today = _today(now)
        if p.status not in RENEWABLE_STATUSES:
            raise EnrollmentError(_("Nur laufende Teilnahmen verlängern sich."))
        if p.cancel_by is None or p.cancel_by >= today:
            raise EnrollmentError(_("Die Kündigungsfrist des laufenden Zeitraums ist noch nicht abgelaufen."))
        _binding_end, term_end, cancel_by = terms_for(p.contract, start_date=p.start_date, on=today)
        if cancel_by is None:
            raise EnrollmentError(_("Der Vertrag sieht keine Verlängerung vor."))
        old_term_end = p.term_end
        p.term_end, p.cancel_by = term_end, cancel_by
        p.save(update_fields=["term_end", "cancel_by", "updated_at"])
        _record(
            p,
            from_status=p.status,
            reason=EventReason.RENEWED,
            now=now,
            data={"previous_term_end": _iso(old_term_end), "term_end": _iso(term_end), "cancel_by": _iso(cancel_by)},
        )
        return p


def participation_end(
    *,
    participation: Participation,
    now: dt.datetime,
    actor=None,
    end_date: dt.date | None = None,
    reason_code: str = EventReason.ENDED,
    text: str = "",
    channel: str = Channel.SYSTEM,
) -> Participation:
    """active / ending → ended.

    ending: once its end date has passed (daily command). active: by staff (e.g. DMP
    criteria no longer met; `end_date` ≤ today, default today) or when a term without
    renewal expired (`reason_code="term_expired"`)."""
    with transaction.atomic():
        p = _lock(participation)
        today = _today(now)
        ensure_transition(p.status, Status.ENDED)
        if p.status == Status.ENDING:
            if p.end_date >= today:
                raise EnrollmentError(_("Die Teilnahme läuft noch bis %(date)s.") % {"date": _date(p.end_date)})
            end_date = p.end_date
        else:
            end_date = end_date or today
            if end_date > today:
                raise EnrollmentError(_("Ein Ende in der Zukunft ist eine Kündigung, kein Beenden."))
            if p.start_date and end_date < p.start_date:
                raise EnrollmentError(_("Das Ende kann nicht vor dem Beginn liegen."))
        p.end_date = end_date
        p.end_reason = p.end_reason or reason_code
        _move(
            p,
            Status.ENDED,
            reason=reason_code,
            now=now,
            actor=actor,
            channel=channel,
            text=text,
            data={"end_date": _iso(end_date)},
            fields=("end_date", "end_reason"),
        )
        _close_pending_requests(p, now=now, note=_("Erledigt: die Teilnahme ist beendet."))
        return p


def participation_reject(*, participation: Participation, actor, reason_text: str, now: dt.datetime) -> Participation:
    """Staff reject a declaration (e.g. the doctor did not confirm the DMP, not insured)."""
    if not reason_text.strip():
        raise EnrollmentError(_("Bitte geben Sie einen Grund für die Ablehnung an."))
    with transaction.atomic():
        p = _lock(participation)
        p.rejected_at = now
        _move(
            p,
            Status.REJECTED,
            reason=EventReason.REJECTED,
            now=now,
            actor=actor,
            channel=Channel.STAFF,
            text=reason_text.strip(),
            fields=("rejected_at",),
        )
        _close_pending_requests(p, now=now, note=_("Erledigt: die Teilnahme wurde abgelehnt."))
        _notify_status_changed_on_commit(p)
        return p
