"""Change of the chosen doctor: request, staff decision during the binding, and the change
taking effect on its date (daily command)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from enrollment import notifications
from enrollment.lifecycle import EnrollmentError
from enrollment.models import (
    Channel,
    DoctorChangeRequest,
    EventReason,
    ImportantReason,
    Participation,
    RequestDecision,
)
from enrollment.services._common import (
    _check_provider,
    _date,
    _iso,
    _lock,
    _notify_status_changed_on_commit,
    _record,
    _today,
    _uid,
)
from enrollment.services.errors import (
    DoctorChangeNotAllowed,
    RequestAlreadyDecided,
)
from programs import dates
from programs.terms.schedule import participation_schedule, start_for
from providers.models import Provider


def doctor_change_effective_date(participation: Participation, *, on: dt.date) -> dt.date:
    """When a doctor change decided on `on` takes effect: the contract's start rule, as if a
    new declaration were received that day (with its revocation period where the rule needs it)."""
    schedule = participation_schedule(
        contract=participation.contract,
        person_land=participation.person.land_id,
        fund_seat_land=participation.contract.fund.seat_land_id,
        declared_on=on,
        instructed_on=on,
    )
    start = start_for(participation.contract, declared_on=on, revocation=schedule.revocation)
    return start or on + dt.timedelta(days=1)


def participation_request_doctor_change(
    *,
    participation: Participation,
    actor,
    new_provider: Provider,
    now: dt.datetime,
    reason: str = "",
    reason_text: str = "",
    channel: str = Channel.ONLINE,
    base_url: str = "",
) -> DoctorChangeRequest:
    """Change of the chosen doctor.

    During the binding (today ≤ `binding_end`) only for a wichtiger Grund: the request waits
    for a staff decision. After the binding the change is free: approved at once, effective
    by the contract's start rule (applied by `doctor_change_apply`)."""
    today = _today(now)
    with transaction.atomic():
        p = _lock(participation)
        if not p.can_request_doctor_change():
            raise DoctorChangeNotAllowed(_("In diesem Status ist kein Arztwechsel möglich."))
        if p.provider_id == new_provider.pk:
            raise DoctorChangeNotAllowed(_("Diese Praxis ist bereits gewählt."))
        _check_provider(p.contract, new_provider, on=today)
        if DoctorChangeRequest.objects.filter(participation=p, decision=RequestDecision.PENDING).exists() or (
            DoctorChangeRequest.objects.filter(
                participation=p, decision=RequestDecision.APPROVED, applied_at__isnull=True
            ).exists()
        ):
            raise DoctorChangeNotAllowed(_("Ein Arztwechsel ist bereits beantragt."))
        bound = p.doctor_change_needs_reason(on=today)
        if bound:
            if reason not in ImportantReason.values:
                raise DoctorChangeNotAllowed(
                    _(
                        "Während der Bindung bis %(date)s ist ein Wechsel nur aus wichtigem Grund möglich. Bitte wählen Sie den Grund."
                    )
                    % {"date": _date(p.binding_end)}
                )
            if reason == ImportantReason.OTHER and not reason_text.strip():
                raise DoctorChangeNotAllowed(_("Bitte beschreiben Sie den wichtigen Grund."))
        request = DoctorChangeRequest.objects.create(
            participation=p,
            old_provider=p.provider,
            new_provider=new_provider,
            reason=reason if bound else "",
            reason_text=reason_text.strip(),
            requested_at=now,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            channel=channel,
        )
        _record(
            p,
            from_status=p.status,
            reason=EventReason.DOCTOR_CHANGE_REQUESTED,
            now=now,
            actor=actor,
            channel=channel,
            text=reason_text.strip(),
            data={"request": request.pk, "new_provider": new_provider.pk, "in_binding": bound, "reason": reason},
        )
        if not bound:
            request.decision = RequestDecision.APPROVED
            request.decided_at = now
            request.effective_date = doctor_change_effective_date(p, on=today)
            request.decision_note = _("Nach Ablauf der Bindung ist der Wechsel ohne Grund möglich.")
            request.save()
            _record(
                p,
                from_status=p.status,
                reason=EventReason.DOCTOR_CHANGE_APPROVED,
                now=now,
                data={"request": request.pk, "effective_date": _iso(request.effective_date)},
            )
        pk, effective = p.pk, dates.short_date(request.effective_date)
        transaction.on_commit(
            lambda: notifications.doctor_change_received(
                pk, actor_id=_uid(actor), effective=effective, base_url=base_url
            )
        )
        return request


def doctor_change_decide(
    *,
    request: DoctorChangeRequest,
    actor,
    approve: bool,
    now: dt.datetime,
    note: str = "",
    effective_date: dt.date | None = None,
) -> DoctorChangeRequest:
    """Staff decision on a doctor change during the binding. Approved: effective on
    `effective_date` (default: the contract's start rule from today)."""
    with transaction.atomic():
        req = DoctorChangeRequest.objects.select_for_update().get(pk=request.pk)
        if not req.can_decide():
            raise RequestAlreadyDecided(_("Über diesen Antrag wurde bereits entschieden."))
        p = _lock(req.participation)
        req.decided_at, req.decided_by, req.decision_note = now, actor, note.strip()
        if approve:
            req.decision = RequestDecision.APPROVED
            req.effective_date = effective_date or doctor_change_effective_date(p, on=_today(now))
            reason = EventReason.DOCTOR_CHANGE_APPROVED
        else:
            if not note.strip():
                raise EnrollmentError(_("Bitte begründen Sie die Ablehnung."))
            req.decision = RequestDecision.REJECTED
            reason = EventReason.DOCTOR_CHANGE_REJECTED
        req.save()
        _record(
            p,
            from_status=p.status,
            reason=reason,
            now=now,
            actor=actor,
            channel=Channel.STAFF,
            text=note.strip(),
            data={"request": req.pk, "effective_date": _iso(req.effective_date)},
        )
        _notify_status_changed_on_commit(p)
    if approve and req.effective_date <= _today(now):
        doctor_change_apply(request=req, now=now)
    return req


def doctor_change_apply(*, request: DoctorChangeRequest, now: dt.datetime) -> DoctorChangeRequest:
    """An approved change whose effective date arrived: the new doctor becomes the chosen one."""
    with transaction.atomic():
        req = DoctorChangeRequest.objects.select_for_update().get(pk=request.pk)
        if not req.can_apply(on=_today(now)):
            if req.decision != RequestDecision.APPROVED or req.applied_at is not None:
                raise EnrollmentError(_("Dieser Arztwechsel ist nicht genehmigt oder bereits umgesetzt."))
            raise EnrollmentError(
                _("Der Arztwechsel wird erst am %(date)s wirksam.") % {"date": _date(req.effective_date)}
            )
        p = _lock(req.participation)
        if not p.is_open:
            raise EnrollmentError(_("Die Teilnahme ist nicht mehr offen."))
        p.provider = req.new_provider
        p.save(update_fields=["provider", "updated_at"])
        req.applied_at = now
        req.save(update_fields=["applied_at"])
        _record(
            p,
            from_status=p.status,
            reason=EventReason.DOCTOR_CHANGED,
            now=now,
            data={"request": req.pk, "provider": req.new_provider_id, "effective_date": _iso(req.effective_date)},
        )
        return req
