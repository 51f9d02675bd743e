"""What every enrollment service shares: the row lock, the event row, the checked status
change, mail on commit, and small formatting helpers. Private to `enrollment.services`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment import notifications
from enrollment.documents import issue_document_on_commit
from enrollment.lifecycle import ensure_transition
from enrollment.models import (
    CancellationRequest,
    Channel,
    DoctorChangeRequest,
    Participation,
    ParticipationEvent,
    RequestDecision,
)
from enrollment.services.errors import ProviderNotInContract
from programs import dates
from programs.models import Contract, ProgramType
from providers.models import Provider, ProviderKind


def _date(day: dt.date | None) -> str:
    return dates.short_date(day) or "–"


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
    event = ParticipationEvent.objects.create(
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
    # A declaration, revocation, cancellation or doctor change issues its document once.
    issue_document_on_commit(event)
    return event


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


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _uid(user) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None
