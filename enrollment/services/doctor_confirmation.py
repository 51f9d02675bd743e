"""DMP: the treating doctor confirms the diagnosis; only then can the participation start."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from enrollment.lifecycle import (
    EnrollmentError,
    Status,
    TransitionNotAllowed,
)
from enrollment.models import (
    Channel,
    EventReason,
    Participation,
)
from enrollment.services._common import (
    _check_provider,
    _ensure_aware,
    _iso,
    _lock,
    _move,
    _notify_status_changed_on_commit,
    _today,
)
from programs.terms.schedule import start_for
from providers.models import Provider


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
    database refuses it, too). Guard: `Participation.can_confirm_doctor()` (only
    awaiting_doctor; a submitted HzV participation is not confirmed by a doctor)."""
    _ensure_aware(confirmed_at, "confirmed_at")
    with transaction.atomic():
        p = _lock(participation)
        if not p.can_confirm_doctor():
            raise TransitionNotAllowed(
                p.status,
                Status.AWAITING_START,
                _("Eine ärztliche Bestätigung ist nur für eine DMP-Teilnahme möglich, die darauf wartet."),
            )
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
