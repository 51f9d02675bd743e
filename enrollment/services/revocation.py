"""Widerruf within the revocation period, and the end of that period (daily command)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from enrollment import notifications
from enrollment.lifecycle import (
    REVOCABLE_STATUSES,
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
    _close_pending_requests,
    _ensure_aware,
    _iso,
    _lock,
    _move,
    _today,
    _uid,
)
from enrollment.services.errors import RevocationPeriodOver


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
        if p.status not in REVOCABLE_STATUSES:  # in time or not: `can_revoke` below
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
