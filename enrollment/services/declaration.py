"""The Teilnahmeerklärung: online or on paper, and a Belehrung given after it.

`participation_declare` runs its steps in order: when the declaration and the Belehrung
happened, the consents, then (under the person's row lock) the contract, the eligibility
rules and who signed, the provider, the dates, the record and its event, and mail on commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from enrollment import notifications
from enrollment.eligibility import eligibility_for
from enrollment.lifecycle import EnrollmentError, Status
from enrollment.models import (
    Channel,
    EventReason,
    InstructionMethod,
    InsuredPerson,
    LegalRepresentation,
    Participation,
    SignerKind,
)
from enrollment.services._common import _check_provider, _date, _ensure_aware, _iso, _lock, _record, _today, _uid
from enrollment.services.errors import ConsentMissing, DuplicateParticipation, NotAllowedToDeclare, NotEligible
from programs.eligibility import Check
from programs.models import Contract, ProgramType
from programs.terms.schedule import Schedule, participation_schedule
from providers.models import Provider

#: Consents the person must give in the online declaration (key → stored with the text version).
REQUIRED_CONSENTS = ("declaration", "data_transfer", "revocation_instruction")


@dataclass(frozen=True)
class _Moments:
    """When the declaration and the Belehrung happened, and how the Belehrung was given."""

    declared_at: dt.datetime
    instructed_at: dt.datetime | None
    instruction_method: str


@dataclass(frozen=True)
class _Signing:
    """Who signed, and which representatives are told about an online declaration."""

    signer_kind: str
    signer: InsuredPerson | None
    inform: tuple | list = ()


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
    moments = _declaration_moments(
        channel=channel,
        now=now,
        declared_at=declared_at,
        instructed_at=instructed_at,
        instruction_method=instruction_method,
    )
    declared_on = _today(moments.declared_at)
    if online:
        _check_consents(consents)

    try:
        with transaction.atomic():
            InsuredPerson.objects.select_for_update().filter(pk=person.pk).first()
            existing = Participation.objects.filter(idempotency_key=key).first()
            if existing is not None:
                return _same_declaration_or_error(existing, person=person, contract=contract)
            _check_contract(contract, person=person, on=declared_on)
            if online:
                signing = _online_signing(actor=actor, person=person, contract=contract, declared_on=declared_on)
            else:
                signing = _paper_signing(person=person, contract=contract, signer=signer, declared_on=declared_on)
            _check_provider(contract, provider, on=declared_on)

            schedule = participation_schedule(
                contract=contract,
                person_land=person.land_id,
                fund_seat_land=contract.fund.seat_land_id,
                declared_on=declared_on,
                instructed_on=_today(moments.instructed_at) if moments.instructed_at else None,
            )
            participation = _create_participation(
                person=person,
                contract=contract,
                provider=provider,
                actor=actor,
                channel=channel,
                consents=consents,
                key=key,
                moments=moments,
                signing=signing,
                schedule=schedule,
            )
            _record_declared(participation, actor=actor, now=now, moments=moments, signing=signing, schedule=schedule)
            if notify:
                _notify_declared_on_commit(participation, actor=actor, signing=signing, base_url=base_url)
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


# --- the steps of a declaration ----------------------------------------------------------------


def _declaration_moments(
    *,
    channel: str,
    now: dt.datetime,
    declared_at: dt.datetime | None,
    instructed_at: dt.datetime | None,
    instruction_method: str,
) -> _Moments:
    """Online, declaration and Belehrung happen now; on paper the dates on the form count
    (a missing Belehrung leaves the revocation period unstarted). Neither lies in the future."""
    if channel not in (Channel.ONLINE, Channel.PRACTICE, Channel.BRANCH):
        raise ValueError(f"Unknown declaration channel {channel!r}")
    if channel == Channel.ONLINE:
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
    if declared_at > now:
        raise EnrollmentError(_("Das Datum der Erklärung liegt in der Zukunft."))
    if instructed_at is not None and instructed_at > now:
        raise EnrollmentError(_("Das Datum der Belehrung liegt in der Zukunft."))
    return _Moments(declared_at=declared_at, instructed_at=instructed_at, instruction_method=instruction_method)


def _check_consents(consents: Mapping[str, bool]) -> None:
    """Online, every required consent must be given."""
    if any(not consents.get(name) for name in REQUIRED_CONSENTS):
        raise ConsentMissing(
            _("Bitte bestätigen Sie die Erklärung, die Einwilligung und die Kenntnisnahme der Widerrufsbelehrung.")
        )


def _check_contract(contract: Contract, *, person: InsuredPerson, on: dt.date) -> None:
    if not contract.is_valid_on(on) or contract.fund_id != person.fund_id:
        raise NotEligible([Check("contract", False, _("Der Vertrag gilt für diese Person an diesem Tag nicht."))])


def _online_signing(*, actor, person: InsuredPerson, contract: Contract, declared_on: dt.date) -> _Signing:
    """Online the account's rights decide: the person signs, or their representative does."""
    eligibility = eligibility_for(user=actor, person=person, program=contract.program, on=declared_on)
    if eligibility.contract is not None and eligibility.contract.pk != contract.pk:
        raise NotEligible(
            [Check("contract", False, _("Der Vertrag wurde inzwischen geändert. Bitte beginnen Sie erneut."))]
        )
    if not eligibility.eligible:
        raise NotEligible(eligibility.problems)
    inform = eligibility.representatives if eligibility.inform_representatives else ()
    if eligibility.signer == SignerKind.REPRESENTATIVE:
        from enrollment.selectors import own_person

        return _Signing(SignerKind.REPRESENTATIVE, own_person(actor), inform)
    return _Signing(SignerKind.SELF, None, inform)


def _paper_signing(
    *, person: InsuredPerson, contract: Contract, signer: InsuredPerson | None, declared_on: dt.date
) -> _Signing:
    """The same rules as online (age at the start, region, fund, prerequisites, duplicates);
    who signed is checked instead of the account's rights."""
    eligibility = eligibility_for(
        user=None, person=person, program=contract.program, on=declared_on, channel_online=False
    )
    if eligibility.problems:
        raise NotEligible(eligibility.problems)
    signer_kind, signer = _signer_for_paper(person=person, contract=contract, signer=signer, declared_on=declared_on)
    return _Signing(signer_kind, signer)


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


def _create_participation(
    *,
    person: InsuredPerson,
    contract: Contract,
    provider: Provider | None,
    actor,
    channel: str,
    consents: Mapping[str, bool],
    key: uuid.UUID,
    moments: _Moments,
    signing: _Signing,
    schedule: Schedule,
) -> Participation:
    """Save the record with copies of the texts shown and every date of the schedule."""
    program = contract.program
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
        signer_kind=signing.signer_kind,
        signer=signing.signer,
        declared_by=actor if getattr(actor, "is_authenticated", False) else None,
        declared_at=moments.declared_at,
        instructed_at=moments.instructed_at,
        instruction_method=moments.instruction_method,
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
    return participation


def _record_declared(
    participation: Participation,
    *,
    actor,
    now: dt.datetime,
    moments: _Moments,
    signing: _Signing,
    schedule: Schedule,
) -> None:
    _record(
        participation,
        from_status="",
        reason=EventReason.DECLARED,
        now=now,
        actor=actor,
        channel=participation.channel,
        data={
            "declared_at": moments.declared_at.isoformat(),
            "instructed_at": moments.instructed_at.isoformat() if moments.instructed_at else None,
            "revocation_deadline": _iso(schedule.revocation_deadline),
            "revocation_shifts": [s.text for s in schedule.revocation.shifts] if schedule.revocation else [],
            "start_date": _iso(schedule.start_date),
            "binding_end": _iso(schedule.binding_end),
            "cancel_by": _iso(schedule.cancel_by),
            "lands": list(schedule.lands),
            "signer_kind": signing.signer_kind,
        },
    )


def _notify_declared_on_commit(participation: Participation, *, actor, signing: _Signing, base_url: str) -> None:
    """The receipt to the person and, online, a note to the representatives to inform."""
    pk = participation.pk
    transaction.on_commit(lambda: notifications.declaration_received(pk, actor_id=_uid(actor), base_url=base_url))
    if signing.inform:
        rep_ids = [r.pk for r in signing.inform]
        transaction.on_commit(lambda: notifications.representatives_informed(pk, rep_ids, base_url=base_url))


def _same_declaration_or_error(existing: Participation, *, person: InsuredPerson, contract: Contract) -> Participation:
    if existing.person_id != person.pk or existing.contract_id != contract.pk:
        raise DuplicateParticipation(_("Dieses Formular wurde bereits für eine andere Erklärung verwendet."))
    return existing


# --- a Belehrung after the declaration -----------------------------------------------------------


def participation_record_instruction(
    *, participation: Participation, actor, instructed_at: dt.datetime, method: str, now: dt.datetime
) -> Participation:
    """Record a Belehrung given after the declaration; the revocation period starts with it.

    Only while the period has not started (submitted, no `instructed_at`, not DMP)."""
    _ensure_aware(instructed_at, "instructed_at")
    with transaction.atomic():
        p = _lock(participation)
        if not p.can_record_instruction():
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
