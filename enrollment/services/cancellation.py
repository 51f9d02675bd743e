"""Ordinary cancellation (Kündigung) and the extraordinary one for a wichtiger Grund, decided by staff."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from enrollment import notifications
from enrollment.lifecycle import (
    CANCELLABLE_STATUSES,
    EnrollmentError,
    Status,
    TransitionNotAllowed,
)
from enrollment.models import (
    CancellationRequest,
    Channel,
    EventReason,
    ImportantReason,
    Participation,
    RequestDecision,
)
from enrollment.services._common import (
    _date,
    _ensure_aware,
    _iso,
    _lock,
    _move,
    _notify_status_changed_on_commit,
    _record,
    _today,
    _uid,
)
from enrollment.services.errors import (
    NotCancellable,
    RequestAlreadyDecided,
)


def participation_cancel(
    *,
    participation: Participation,
    actor,
    now: dt.datetime,
    channel: str = Channel.ONLINE,
    received_at: dt.datetime | None = None,
    base_url: str = "",
) -> Participation:
    """Ordinary cancellation (Kündigung) by the contract's notice rules.

    The day that counts is the day of receipt (or of dispatch, per `contract.notice_counts`;
    online both are `now`; staff entering a letter pass `received_at`). The participation
    ends with the first term whose notice deadline is not yet over; notice deadlines are
    never moved off weekends or holidays (§ 193 BGB does not apply). → ending, `end_date`."""
    when = received_at or now
    _ensure_aware(when, "received_at")
    with transaction.atomic():
        p = _lock(participation)
        if not p.can_cancel(now=when):
            if p.is_dmp:
                raise NotCancellable(_("Eine DMP-Teilnahme beenden Sie, indem Sie Ihre Einwilligung widerrufen."))
            if p.status not in CANCELLABLE_STATUSES:
                raise TransitionNotAllowed(
                    p.status,
                    Status.ENDING,
                    _("Diese Teilnahme kann nicht gekündigt werden (Status: %(status)s).")
                    % {"status": p.get_status_display()},
                )
            raise NotCancellable(_("Für diese Teilnahme gibt es keinen Kündigungstermin mehr; sie endet ohnehin."))
        term = p.cancellation_term(on=_today(when))
        p.end_date = term.term_end
        p.cancelled_at = when
        p.end_reason = EventReason.CANCELLED
        _move(
            p,
            Status.ENDING,
            reason=EventReason.CANCELLED,
            now=now,
            actor=actor,
            channel=channel,
            data={"received_at": when.isoformat(), "cancel_by": _iso(term.cancel_by), "end_date": _iso(term.term_end)},
            fields=("end_date", "cancelled_at", "end_reason"),
        )
        pk = p.pk
        transaction.on_commit(lambda: notifications.cancellation_received(pk, actor_id=_uid(actor), base_url=base_url))
        return p


def participation_request_extraordinary_cancellation(
    *,
    participation: Participation,
    actor,
    reason: str,
    reason_text: str = "",
    now: dt.datetime,
    channel: str = Channel.ONLINE,
) -> CancellationRequest:
    """Ask staff to end the participation for a wichtiger Grund (pending request)."""
    if reason not in ImportantReason.values:
        raise EnrollmentError(_("Bitte wählen Sie einen Grund."))
    if reason == ImportantReason.OTHER and not reason_text.strip():
        raise EnrollmentError(_("Bitte beschreiben Sie den Grund."))
    with transaction.atomic():
        p = _lock(participation)
        if not p.can_request_extraordinary_cancellation():
            raise NotCancellable(_("Für diese Teilnahme ist keine Kündigung aus wichtigem Grund möglich."))
        if CancellationRequest.objects.filter(participation=p, decision=RequestDecision.PENDING).exists():
            raise EnrollmentError(_("Ihr Antrag auf Kündigung aus wichtigem Grund wird bereits bearbeitet."))
        request = CancellationRequest.objects.create(
            participation=p,
            reason=reason,
            reason_text=reason_text.strip(),
            requested_at=now,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            channel=channel,
        )
        _record(
            p,
            from_status=p.status,
            reason=EventReason.EXTRAORDINARY_REQUESTED,
            now=now,
            actor=actor,
            channel=channel,
            text=reason_text.strip(),
            data={"request": request.pk, "reason": reason},
        )
        return request


def cancellation_request_decide(
    *,
    request: CancellationRequest,
    actor,
    approve: bool,
    now: dt.datetime,
    effective_date: dt.date | None = None,
    note: str = "",
) -> CancellationRequest:
    """Staff decision on an extraordinary cancellation. Approved: the participation ends on
    `effective_date` (default today; never before the start) → ending. Rejected: needs a note."""
    with transaction.atomic():
        req = CancellationRequest.objects.select_for_update().get(pk=request.pk)
        if not req.can_decide():
            raise RequestAlreadyDecided(_("Über diesen Antrag wurde bereits entschieden."))
        p = _lock(req.participation)
        req.decided_at, req.decided_by, req.decision_note = now, actor, note.strip()
        if not approve:
            if not note.strip():
                raise EnrollmentError(_("Bitte begründen Sie die Ablehnung."))
            req.decision = RequestDecision.REJECTED
            req.save()
            _record(
                p,
                from_status=p.status,
                reason=EventReason.EXTRAORDINARY_REJECTED,
                now=now,
                actor=actor,
                channel=Channel.STAFF,
                text=note.strip(),
                data={"request": req.pk},
            )
        else:
            end_date = effective_date or _today(now)
            if p.start_date and end_date < p.start_date:
                raise EnrollmentError(
                    _("Das Ende kann nicht vor dem Teilnahmebeginn (%(date)s) liegen.") % {"date": _date(p.start_date)}
                )
            req.decision, req.effective_date = RequestDecision.APPROVED, end_date
            req.save()
            p.end_date = min(end_date, p.end_date) if p.status == Status.ENDING and p.end_date else end_date
            p.cancelled_at = p.cancelled_at or now
            p.end_reason = EventReason.EXTRAORDINARY_APPROVED
            data = {"request": req.pk, "end_date": _iso(p.end_date)}
            if p.status == Status.ENDING:
                p.save(update_fields=["end_date", "cancelled_at", "end_reason", "updated_at"])
                _record(
                    p,
                    from_status=p.status,
                    reason=EventReason.EXTRAORDINARY_APPROVED,
                    now=now,
                    actor=actor,
                    channel=Channel.STAFF,
                    text=note.strip(),
                    data=data,
                )
            else:
                _move(
                    p,
                    Status.ENDING,
                    reason=EventReason.EXTRAORDINARY_APPROVED,
                    now=now,
                    actor=actor,
                    channel=Channel.STAFF,
                    text=note.strip(),
                    data=data,
                    fields=("end_date", "cancelled_at", "end_reason"),
                )
        _notify_status_changed_on_commit(p)
        return req
