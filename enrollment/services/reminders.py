"""The reminder of the next cancellation deadline (once per deadline, from 6 weeks before)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from enrollment import notifications
from enrollment.lifecycle import TERM_RUNNING_STATUSES
from enrollment.models import (
    EventReason,
    Participation,
)
from enrollment.services._common import (
    _iso,
    _lock,
    _record,
    _today,
)

#: Reminder before the last day of ordinary cancellation (DOMAIN.md §2 example: 6 weeks).
REMINDER_BEFORE = dt.timedelta(weeks=6)


def participation_send_cancellation_reminder(*, participation: Participation, now: dt.datetime) -> bool:
    """Remind the person once per cancellation deadline, from 6 weeks before it.

    Returns False (and writes nothing) if it is not time yet, too late, or already sent for
    this deadline (the event row with `data.cancel_by` is the record)."""
    with transaction.atomic():
        p = _lock(participation)
        today = _today(now)
        if p.status not in TERM_RUNNING_STATUSES or p.cancel_by is None:
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
