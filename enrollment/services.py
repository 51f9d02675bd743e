"""Every write that changes a participation: one service per transition.

Each service is keyword-only and typed, takes `now=` (no hidden clock), runs in
`transaction.atomic()`, locks the participation row (`select_for_update()`), checks its guard
(`lifecycle.ensure_transition` plus the domain rule), writes exactly one
`ParticipationEvent` per step, and sends mail only after commit (`transaction.on_commit`).
Refusals are `EnrollmentError` subclasses with a clear German message; views turn them into
form errors or messages. Nothing else assigns `Participation.status`.

All dates come from `programs.terms.schedule` / `programs.terms.deadlines`; "today" is always
`timezone.localdate(now)` (Europe/Berlin).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from enrollment import notifications
from enrollment.eligibility import eligibility_for
from enrollment.lifecycle import (
    CANCELLABLE_STATUSES,
    REVOCABLE_STATUSES,
    EnrollmentError,
    Status,
    TransitionNotAllowed,
    ensure_transition,
)
from enrollment.models import (
    CancellationRequest,
    Channel,
    DoctorChangeRequest,
    EventReason,
    ImportantReason,
    InstructionMethod,
    InsuredPerson,
    LegalRepresentation,
    Participation,
    ParticipationEvent,
    RequestDecision,
    SignerKind,
)
from programs.eligibility import Check
from programs.models import Contract, ProgramType
from programs.terms.schedule import participation_schedule, start_for, terms_for
from providers.models import Provider, ProviderKind

#: Reminder before the last day of ordinary cancellation (DOMAIN.md §2 example: 6 weeks).
REMINDER_BEFORE = dt.timedelta(weeks=6)

#: Consents the person must give in the online declaration (key → stored with the text version).
REQUIRED_CONSENTS = ("declaration", "data_transfer", "revocation_instruction")


# --- errors ----------------------------------------------------------------------------------


class NotEligible(EnrollmentError):
    """At least one eligibility rule failed; `checks` holds every failing reason."""

    def __init__(self, checks: list[Check]):
        self.checks = checks
        super().__init__(" ".join(c.message for c in checks) or _("Eine Teilnahme ist nicht möglich."))


class NotAllowedToDeclare(EnrollmentError):
    pass


class DuplicateParticipation(EnrollmentError):
    pass


class ConsentMissing(EnrollmentError):
    pass


class RevocationPeriodOver(EnrollmentError):
    def __init__(self, participation: Participation):
        self.deadline = participation.revocation_deadline
        super().__init__(
            _(
                "Die Widerrufsfrist endete am %(date)s um 24:00 Uhr. Ein Widerruf ist nicht mehr möglich; "
                "Sie können die Teilnahme aber kündigen."
            )
            % {"date": _date(participation.revocation_deadline)}
        )


class NotCancellable(EnrollmentError):
    pass


class DoctorChangeNotAllowed(EnrollmentError):
    pass


class ProviderNotInContract(EnrollmentError):
    pass


class RequestAlreadyDecided(EnrollmentError):
    pass


# --- helpers ---------------------------------------------------------------------------------


def _date(day: dt.date | None) -> str:
    return formats.date_format(day, "d.m.Y") if day else "–"


def _today(now: dt.datetime) -> dt.date:
    return timezone.localdate(now)


def _lock(participation: Participation) -> Participation:
    """Re-read the row under a lock; the caller's instance may be stale."""
    return (
        Participation.objects.select_for_update(of=("self",))
        .select_related("contract__program", "contract__fund", "person")
        .get(pk=participation.pk)
    )


def _record(
    participation: Participation,
    *,
    from_status: str,
    reason: str,
    now: dt.datetime,
    actor=None,
    channel: str = Channel.SYSTEM,
    text: str = "",
    data: Mapping | None = None,
) -> ParticipationEvent:
    return ParticipationEvent.objects.create(
        participation=participation,
        from_status=from_status,
        to_status=participation.status,
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        channel=channel,
        reason_code=reason,
        text=text,
        data=dict(data or {}),
    )


def _move(
    participation: Participation,
    to_status: str,
    *,
    reason: str,
    now: dt.datetime,
    actor=None,
    channel: str = Channel.SYSTEM,
    text: str = "",
    data: Mapping | None = None,
    fields: tuple[str, ...] = (),
) -> ParticipationEvent:
    """Check the transition, assign the status, save the given fields and write the event."""
    from_status = participation.status
    ensure_transition(from_status, to_status)
    participation.status = to_status
    participation.save(update_fields=["status", "updated_at", *fields])
    return _record(
        participation,
        from_status=from_status,
        reason=reason,
        now=now,
        actor=actor,
        channel=channel,
        text=text,
        data=data,
    )


def _notify_status_changed_on_commit(participation: Participation) -> None:
    """Tell the person about a status change once the transaction has committed."""
    pk = participation.pk
    transaction.on_commit(lambda: notifications.status_changed(pk))


def _check_provider(contract: Contract, provider: Provider | None, *, on: dt.date) -> None:
    """The provider must take part in the contract on `on`; HzV needs a GP practice."""
    if provider is None:
        if contract.program.program_type == ProgramType.HZV:
            raise ProviderNotInContract(_("Bitte wählen Sie Ihre Hausarztpraxis."))
        return
    if contract.program.program_type == ProgramType.HZV and provider.kind not in (
        ProviderKind.GP_PRACTICE,
        ProviderKind.MVZ,
    ):
        raise ProviderNotInContract(_("Im Hausarztprogramm wählen Sie eine Hausarztpraxis."))
    takes_part = (
        provider.participations.filter(contract=contract, valid_from__lte=on).exclude(valid_until__lt=on).exists()
    )
    if not takes_part:
        raise ProviderNotInContract(
            _("%(name)s nimmt an diesem Vertrag nicht teil. Bitte wählen Sie eine teilnehmende Praxis.")
            % {"name": provider.name}
        )


def _close_pending_requests(participation: Participation, *, now: dt.datetime, note: str) -> None:
    for model in (DoctorChangeRequest, CancellationRequest):
        model.objects.filter(participation=participation, decision=RequestDecision.PENDING).update(
            decision=RequestDecision.REJECTED, decided_at=now, decision_note=note
        )


def _ensure_aware(value: dt.datetime, name: str) -> None:
    if timezone.is_naive(value):
        raise ValueError(f"{name} must be timezone-aware")


# --- declaration -----------------------------------------------------------------------------


def _signer_for_paper(
    *, person: InsuredPerson, contract: Contract, signer: InsuredPerson | None, declared_on: dt.date
) -> tuple[str, InsuredPerson | None]:
    """Check who signed a paper declaration (§ 36 SGB I) and return (signer_kind, signer)."""
    age = person.age_on(declared_on)
    if signer is None or signer.pk == person.pk:
        if age < contract.self_declaration_age:
            raise NotAllowedToDeclare(
                _(
                    "%(name)s war am %(date)s %(age)s Jahre alt; unter %(limit)s Jahren unterschreibt die gesetzliche Vertretung."
                )
                % {"name": person, "date": _date(declared_on), "age": age, "limit": contract.self_declaration_age}
            )
        return SignerKind.SELF, None
    from enrollment.selectors import _valid_on

    valid = LegalRepresentation.objects.filter(
        _valid_on(declared_on), representative=signer, represented=person
    ).exists()
    if not valid:
        raise NotAllowedToDeclare(
            _("%(signer)s ist am %(date)s nicht als gesetzliche Vertretung von %(name)s eingetragen.")
            % {"signer": signer, "date": _date(declared_on), "name": person}
        )
    return SignerKind.REPRESENTATIVE, signer


def participation_declare(
    *,
    person: InsuredPerson,
    contract: Contract,
    provider: Provider | None,
    actor,
    consents: Mapping[str, bool],
    idempotency_key: uuid.UUID | str,
    now: dt.datetime,
    channel: str = Channel.ONLINE,
    declared_at: dt.datetime | None = None,
    instructed_at: dt.datetime | None = None,
    instruction_method: str = "",
    signer: InsuredPerson | None = None,
    base_url: str = "",
    notify: bool = True,
) -> Participation:
    """Record a Teilnahmeerklärung: exactly one participation per `idempotency_key`.

    Online (`channel="online"`): `actor` is the signed-in account; the representation rule
    decides who signs; declaration and Belehrung happen at `now` in the same flow. Paper
    (`channel="practice"` or `"branch"`): `actor` is the staff account, `declared_at` and
    `instructed_at` are the dates on the form (Belehrung may be missing: then the revocation
    period has not started), `signer` the representative who signed, if any.

    Guards: the eligibility rules (all reasons), the consents, the provider, and for the
    same key an existing record is returned unchanged (double click, repeated post, parallel
    request). The person row is locked so parallel declarations of one person serialise;
    the unique constraints are the last line (IntegrityError → the existing record or
    `DuplicateParticipation`). `notify=False` (demo data) sends no mail.
    """
    _ensure_aware(now, "now")
    key = uuid.UUID(str(idempotency_key))
    existing = Participation.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _same_declaration_or_error(existing, person=person, contract=contract)

    online = channel == Channel.ONLINE
    if channel not in (Channel.ONLINE, Channel.PRACTICE, Channel.BRANCH):
        raise ValueError(f"Unknown declaration channel {channel!r}")
    if online:
        declared_at = now
        instructed_at = now
        instruction_method = InstructionMethod.ONLINE
    else:
        if declared_at is None:
            raise ValueError("A paper declaration needs declared_at")
        if instructed_at is not None and not instruction_method:
            instruction_method = InstructionMethod.PAPER
        if instructed_at is None:
            instruction_method = ""
    _ensure_aware(declared_at, "declared_at")
    declared_on = _today(declared_at)
    if declared_at > now:
        raise EnrollmentError(_("Das Datum der Erklärung liegt in der Zukunft."))
    if instructed_at is not None and instructed_at > now:
        raise EnrollmentError(_("Das Datum der Belehrung liegt in der Zukunft."))

    missing = [name for name in REQUIRED_CONSENTS if not consents.get(name)]
    if online and missing:
        raise ConsentMissing(
            _("Bitte bestätigen Sie die Erklärung, die Einwilligung und die Kenntnisnahme der Widerrufsbelehrung.")
        )

    try:
        with transaction.atomic():
            InsuredPerson.objects.select_for_update().filter(pk=person.pk).first()
            existing = Participation.objects.filter(idempotency_key=key).first()
            if existing is not None:
                return _same_declaration_or_error(existing, person=person, contract=contract)
            program = contract.program
            if not contract.is_valid_on(declared_on) or contract.fund_id != person.fund_id:
                raise NotEligible(
                    [Check("contract", False, _("Der Vertrag gilt für diese Person an diesem Tag nicht."))]
                )

            if online:
                eligibility = eligibility_for(user=actor, person=person, program=program, on=declared_on)
                if eligibility.contract is not None and eligibility.contract.pk != contract.pk:
                    raise NotEligible(
                        [
                            Check(
                                "contract",
                                False,
                                _("Der Vertrag wurde inzwischen geändert. Bitte beginnen Sie erneut."),
                            )
                        ]
                    )
                if not eligibility.eligible:
                    raise NotEligible(eligibility.problems)
                if eligibility.signer == SignerKind.REPRESENTATIVE:
                    from enrollment.selectors import own_person

                    signer_kind, signer = SignerKind.REPRESENTATIVE, own_person(actor)
                else:
                    signer_kind, signer = SignerKind.SELF, None
                inform = eligibility.representatives if eligibility.inform_representatives else ()
            else:
                # The same rules as online (age at the start, region, fund, prerequisites,
                # duplicates); who signed is checked below instead of the account's rights.
                eligibility = eligibility_for(
                    user=None, person=person, program=program, on=declared_on, channel_online=False
                )
                if eligibility.problems:
                    raise NotEligible(eligibility.problems)
                signer_kind, signer = _signer_for_paper(
                    person=person, contract=contract, signer=signer, declared_on=declared_on
                )
                inform = ()
            _check_provider(contract, provider, on=declared_on)

            schedule = participation_schedule(
                contract=contract,
                person_land=person.land_id,
                fund_seat_land=contract.fund.seat_land_id,
                declared_on=declared_on,
                instructed_on=_today(instructed_at) if instructed_at else None,
            )
            is_dmp = program.program_type == ProgramType.DMP
            participation = Participation(
                person=person,
                contract=contract,
                program=program,
                program_type=program.program_type,
                dmp_indication=program.dmp_indication,
                provider=provider,
                status=Status.AWAITING_DOCTOR if is_dmp else Status.SUBMITTED,
                channel=channel,
                signer_kind=signer_kind,
                signer=signer,
                declared_by=actor if getattr(actor, "is_authenticated", False) else None,
                declared_at=declared_at,
                instructed_at=instructed_at,
                instruction_method=instruction_method,
                contract_version=contract.version,
                declaration_text=contract.declaration_text,
                consent_text=contract.consent_text,
                revocation_instruction=contract.revocation_instruction,
                consents={name: bool(consents.get(name)) for name in REQUIRED_CONSENTS} | dict(consents),
                holiday_lands=",".join(schedule.lands),
                revocation_deadline=schedule.revocation_deadline,
                start_date=schedule.start_date,
                binding_end=schedule.binding_end,
                term_end=schedule.term_end,
                cancel_by=schedule.cancel_by,
                idempotency_key=key,
            )
            with transaction.atomic():
                participation.save()
            _record(
                participation,
                from_status="",
                reason=EventReason.DECLARED,
                now=now,
                actor=actor,
                channel=channel,
                data={
                    "declared_at": declared_at.isoformat(),
                    "instructed_at": instructed_at.isoformat() if instructed_at else None,
                    "revocation_deadline": _iso(schedule.revocation_deadline),
                    "revocation_shifts": [s.text for s in schedule.revocation.shifts] if schedule.revocation else [],
                    "start_date": _iso(schedule.start_date),
                    "binding_end": _iso(schedule.binding_end),
                    "cancel_by": _iso(schedule.cancel_by),
                    "lands": list(schedule.lands),
                    "signer_kind": signer_kind,
                },
            )
            pk = participation.pk
            if notify:
                transaction.on_commit(
                    lambda: notifications.declaration_received(pk, actor_id=_uid(actor), base_url=base_url)
                )
            if inform and notify:
                rep_ids = [r.pk for r in inform]
                transaction.on_commit(lambda: notifications.representatives_informed(pk, rep_ids, base_url=base_url))
            return participation
    except IntegrityError:
        # A parallel request won the race: same key → that record; other key → duplicate.
        existing = Participation.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _same_declaration_or_error(existing, person=person, contract=contract)
        raise DuplicateParticipation(
            _(
                "Für diese Person besteht bereits eine offene Teilnahme an diesem oder einem sich ausschließenden Programm."
            )
        ) from None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _uid(user) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def _same_declaration_or_error(existing: Participation, *, person: InsuredPerson, contract: Contract) -> Participation:
    if existing.person_id != person.pk or existing.contract_id != contract.pk:
        raise DuplicateParticipation(_("Dieses Formular wurde bereits für eine andere Erklärung verwendet."))
    return existing


def participation_record_instruction(
    *, participation: Participation, actor, instructed_at: dt.datetime, method: str, now: dt.datetime
) -> Participation:
    """Record a Belehrung given after the declaration; the revocation period starts with it.

    Only while the period has not started (submitted, no `instructed_at`, not DMP)."""
    _ensure_aware(instructed_at, "instructed_at")
    with transaction.atomic():
        p = _lock(participation)
        if p.status != Status.SUBMITTED or p.instructed_at is not None or p.is_dmp:
            raise EnrollmentError(_("Die Belehrung ist für diese Teilnahme bereits erfasst oder nicht nötig."))
        if instructed_at > now:
            raise EnrollmentError(_("Das Datum der Belehrung liegt in der Zukunft."))
        schedule = participation_schedule(
            contract=p.contract,
            person_land=p.person.land_id,
            fund_seat_land=p.contract.fund.seat_land_id,
            declared_on=_today(p.declared_at),
            instructed_on=_today(instructed_at),
        )
        p.instructed_at = instructed_at
        p.instruction_method = method or InstructionMethod.LETTER
        p.holiday_lands = ",".join(schedule.lands)
        p.revocation_deadline = schedule.revocation_deadline
        if p.start_date is None:
            p.start_date = schedule.start_date
            p.binding_end, p.term_end, p.cancel_by = schedule.binding_end, schedule.term_end, schedule.cancel_by
        p.save()
        _record(
            p,
            from_status=p.status,
            reason=EventReason.INSTRUCTED,
            now=now,
            actor=actor,
            channel=Channel.STAFF,
            data={"instructed_at": instructed_at.isoformat(), "revocation_deadline": _iso(p.revocation_deadline)},
        )
        return p


# --- DMP: doctor's confirmation ------------------------------------------------------------------


def participation_confirm_doctor(
    *,
    participation: Participation,
    actor,
    confirmed_at: dt.datetime,
    now: dt.datetime,
    provider: Provider | None = None,
    channel: str = Channel.STAFF,
) -> Participation:
    """DMP: the treating doctor confirmed the diagnosis (with the Erstdokumentation).

    awaiting_doctor → awaiting_start; the start date follows from the contract's start rule
    counted from the confirmation. Without this step no DMP participation can start (the
    database refuses it, too)."""
    _ensure_aware(confirmed_at, "confirmed_at")
    with transaction.atomic():
        p = _lock(participation)
        ensure_transition(p.status, Status.AWAITING_START)
        if confirmed_at > now:
            raise EnrollmentError(_("Das Datum der Bestätigung liegt in der Zukunft."))
        if confirmed_at < p.declared_at:
            raise EnrollmentError(_("Die Bestätigung kann nicht vor der Erklärung liegen."))
        if provider is not None:
            _check_provider(p.contract, provider, on=_today(confirmed_at))
            p.provider = provider
        p.doctor_confirmed_at = confirmed_at
        p.start_date = start_for(p.contract, declared_on=_today(confirmed_at), revocation=None)
        _move(
            p,
            Status.AWAITING_START,
            reason=EventReason.DOCTOR_CONFIRMED,
            now=now,
            actor=actor,
            channel=channel,
            data={"confirmed_at": confirmed_at.isoformat(), "start_date": _iso(p.start_date)},
            fields=("doctor_confirmed_at", "start_date", "provider"),
        )
        _notify_status_changed_on_commit(p)
        return p


# --- revocation --------------------------------------------------------------------------------


def participation_revoke(
    *,
    participation: Participation,
    actor,
    now: dt.datetime,
    channel: str = Channel.ONLINE,
    dispatched_at: dt.datetime | None = None,
    base_url: str = "",
) -> Participation:
    """Widerruf (§ 73b(3), § 140a(4) SGB V): no reason, the dispatch time counts.

    In time iff dispatched ≤ last day 24:00 Europe/Berlin (`revocation_deadline_end`); then
    the participation is void: status "revoked" (distinct from "ended"). Without a deadline
    (no Belehrung yet, or DMP) a revocation is always in time. DMP: withdrawing the consent
    before the start voids it; once active it ends the participation that day."""
    dispatched = dispatched_at or now
    _ensure_aware(dispatched, "dispatched_at")
    with transaction.atomic():
        p = _lock(participation)
        if p.status not in REVOCABLE_STATUSES:
            raise TransitionNotAllowed(
                p.status,
                Status.REVOKED,
                _("Diese Teilnahme kann nicht widerrufen werden (Status: %(status)s).")
                % {"status": p.get_status_display()},
            )
        if p.is_dmp and p.status == Status.ACTIVE:
            p.end_date = max(_today(dispatched), p.start_date)
            p.end_reason = EventReason.CONSENT_WITHDRAWN
            p.revoked_at = dispatched
            _move(
                p,
                Status.ENDED,
                reason=EventReason.CONSENT_WITHDRAWN,
                now=now,
                actor=actor,
                channel=channel,
                data={"dispatched_at": dispatched.isoformat(), "end_date": _iso(p.end_date)},
                fields=("end_date", "end_reason", "revoked_at"),
            )
        else:
            if not p.can_revoke(now=dispatched):
                raise RevocationPeriodOver(p)
            p.revoked_at = dispatched
            _move(
                p,
                Status.REVOKED,
                reason=EventReason.REVOKED,
                now=now,
                actor=actor,
                channel=channel,
                data={"dispatched_at": dispatched.isoformat(), "deadline": _iso(p.revocation_deadline)},
                fields=("revoked_at",),
            )
        _close_pending_requests(p, now=now, note=_("Erledigt: die Teilnahme wurde widerrufen."))
        pk = p.pk
        transaction.on_commit(lambda: notifications.revocation_received(pk, actor_id=_uid(actor), base_url=base_url))
        return p


def participation_close_revocation_period(*, participation: Participation, now: dt.datetime) -> Participation:
    """submitted → awaiting_start once the revocation deadline has passed (daily command)."""
    with transaction.atomic():
        p = _lock(participation)
        if p.revocation_deadline is None or now <= p.revocation_deadline_end:
            raise EnrollmentError(_("Die Widerrufsfrist läuft noch oder hat nicht begonnen."))
        _move(
            p,
            Status.AWAITING_START,
            reason=EventReason.REVOCATION_PERIOD_OVER,
            now=now,
            data={"deadline": _iso(p.revocation_deadline)},
        )
        return p


# --- start, renewal, end --------------------------------------------------------------------------


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
        if p.status not in (Status.AWAITING_START, Status.ACTIVE, Status.SUBMITTED):
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


# --- cancellation ------------------------------------------------------------------------------


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
        if p.is_dmp:
            raise NotCancellable(_("Eine DMP-Teilnahme beenden Sie, indem Sie Ihre Einwilligung widerrufen."))
        if p.status not in CANCELLABLE_STATUSES:
            raise TransitionNotAllowed(
                p.status,
                Status.ENDING,
                _("Diese Teilnahme kann nicht gekündigt werden (Status: %(status)s).")
                % {"status": p.get_status_display()},
            )
        term = p.cancellation_term(on=_today(when))
        if term is None:
            raise NotCancellable(_("Für diese Teilnahme gibt es keinen Kündigungstermin mehr; sie endet ohnehin."))
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
        if p.is_dmp or p.status not in (Status.AWAITING_START, Status.ACTIVE, Status.ENDING):
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
        if req.decision != RequestDecision.PENDING:
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


# --- change of doctor ---------------------------------------------------------------------------


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
) -> DoctorChangeRequest:
    """Change of the chosen doctor.

    During the binding (today ≤ `binding_end`) only for a wichtiger Grund: the request waits
    for a staff decision. After the binding the change is free: approved at once, effective
    by the contract's start rule (applied by `doctor_change_apply`)."""
    today = _today(now)
    with transaction.atomic():
        p = _lock(participation)
        if p.status not in (Status.SUBMITTED, Status.AWAITING_START, Status.ACTIVE):
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
        bound = p.in_binding(on=today) or (
            p.start_date is not None and today < p.start_date and p.binding_end is not None
        )
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
        if req.decision != RequestDecision.PENDING:
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
        if req.decision != RequestDecision.APPROVED or req.applied_at is not None:
            raise EnrollmentError(_("Dieser Arztwechsel ist nicht genehmigt oder bereits umgesetzt."))
        if req.effective_date > _today(now):
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


# --- reminders ---------------------------------------------------------------------------------


def participation_send_cancellation_reminder(*, participation: Participation, now: dt.datetime) -> bool:
    """Remind the person once per cancellation deadline, from 6 weeks before it.

    Returns False (and writes nothing) if it is not time yet, too late, or already sent for
    this deadline (the event row with `data.cancel_by` is the record)."""
    with transaction.atomic():
        p = _lock(participation)
        today = _today(now)
        if p.status not in (Status.AWAITING_START, Status.ACTIVE) or p.cancel_by is None:
            return False
        if not (p.cancel_by - REMINDER_BEFORE <= today <= p.cancel_by):
            return False
        if p.events.filter(reason_code=EventReason.REMINDER_SENT, data__cancel_by=p.cancel_by.isoformat()).exists():
            return False
        _record(
            p,
            from_status=p.status,
            reason=EventReason.REMINDER_SENT,
            now=now,
            data={"cancel_by": p.cancel_by.isoformat(), "term_end": _iso(p.term_end)},
        )
        pk = p.pk
        transaction.on_commit(lambda: notifications.cancellation_reminder(pk))
        return True
