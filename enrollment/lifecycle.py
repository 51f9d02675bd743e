"""The lifecycle of a participation in one place (DOMAIN.md section 2, STYLE.md "The lifecycle").

`TRANSITIONS` is the only list of allowed status changes; every service in
`enrollment.services` checks it through `ensure_transition()` before it assigns `status`.
Nothing else assigns `status` (not `save()`, not signals, not the admin form).

Statuses::

    draft ──► submitted ──► awaiting_start ──► active ──► ending ──► ended
      │          │  │              │  ▲           │  │
      │          │  └──────────────┼──┘ (start    │  └──► ended (DMP consent withdrawn,
      │          │                 │    before the│        no renewal, staff decision)
      └──► awaiting_doctor ────────┘    window    │
                 (DMP)                  closed)   │
    revoked  ◄── submitted / awaiting_doctor / awaiting_start / active (in the window)
    rejected ◄── submitted / awaiting_doctor / awaiting_start (staff)

"In der Widerrufsfrist" is deliberately *not* a status but a display state derived from the
stored revocation deadline and the clock (`Participation.display_state(now=)`): the window
closes at 24:00 on its last day, whether or not a job runs at that moment, so a status would
be wrong for the hours between midnight and the daily run. `submitted` means "declared, the
revocation period has not been concluded yet"; the daily command records the end of the
window as the transition submitted → awaiting_start (or it never happens when the start
date comes first and the participation went submitted → active).

Renewal and a change of doctor do not change the status; their services write an event row
with from_status == to_status.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    SUBMITTED = "submitted", _("Erklärung abgegeben")
    AWAITING_DOCTOR = "awaiting_doctor", _("wartet auf ärztliche Bestätigung")
    AWAITING_START = "awaiting_start", _("wartet auf Beginn")
    ACTIVE = "active", _("Teilnahme läuft")
    ENDING = "ending", _("gekündigt, endet")
    ENDED = "ended", _("beendet")
    REVOKED = "revoked", _("widerrufen")
    REJECTED = "rejected", _("abgelehnt")


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.AWAITING_DOCTOR}),
    Status.SUBMITTED: frozenset({Status.AWAITING_START, Status.ACTIVE, Status.REVOKED, Status.REJECTED}),
    Status.AWAITING_DOCTOR: frozenset({Status.AWAITING_START, Status.REVOKED, Status.REJECTED}),
    Status.AWAITING_START: frozenset({Status.ACTIVE, Status.ENDING, Status.REVOKED, Status.REJECTED}),
    Status.ACTIVE: frozenset({Status.ENDING, Status.ENDED, Status.REVOKED}),
    Status.ENDING: frozenset({Status.ENDED}),
    Status.ENDED: frozenset(),
    Status.REVOKED: frozenset(),
    Status.REJECTED: frozenset(),
}

#: The first status of a new record, by how it was declared.
INITIAL_STATUSES: frozenset[str] = frozenset({Status.SUBMITTED, Status.AWAITING_DOCTOR})

#: A participation in one of these blocks another one in the same program (and, for HzV,
#: any other HzV; for DMP, any other DMP of the same indication).
OPEN_STATUSES: tuple[str, ...] = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.AWAITING_DOCTOR,
    Status.AWAITING_START,
    Status.ACTIVE,
    Status.ENDING,
)

#: Final states: nothing follows.
CLOSED_STATUSES: tuple[str, ...] = (Status.ENDED, Status.REVOKED, Status.REJECTED)

#: Statuses in which the person takes part (prerequisite of other programs, doctor change).
RUNNING_STATUSES: tuple[str, ...] = (Status.ACTIVE, Status.ENDING)

#: Statuses from which a revocation is possible at all (whether it is in time is a deadline question).
REVOCABLE_STATUSES: tuple[str, ...] = (
    Status.SUBMITTED,
    Status.AWAITING_DOCTOR,
    Status.AWAITING_START,
    Status.ACTIVE,
)

#: Statuses from which an ordinary cancellation (Kündigung) is possible.
CANCELLABLE_STATUSES: tuple[str, ...] = (Status.AWAITING_START, Status.ACTIVE)

#: Declared, not waiting for a doctor and not cancelled: the revocation window is shown, the
#: running term renews unless cancelled by `cancel_by`, the doctor may be changed.
DECLARED_STATUSES: tuple[str, ...] = (Status.SUBMITTED, Status.AWAITING_START, Status.ACTIVE)

#: Statuses in which a doctor change may be requested (`Participation.can_request_doctor_change`).
DOCTOR_CHANGE_STATUSES: tuple[str, ...] = DECLARED_STATUSES

#: Statuses in which `participation_renew` may move the term on.
RENEWABLE_STATUSES: tuple[str, ...] = DECLARED_STATUSES

#: The revocation window is over or never mattered and the term runs: the daily run renews
#: these and reminds of the next cancellation deadline.
TERM_RUNNING_STATUSES: tuple[str, ...] = (Status.AWAITING_START, Status.ACTIVE)

#: Statuses that begin when their start date arrives (the daily run and staff start them).
STARTABLE_STATUSES: tuple[str, ...] = (Status.SUBMITTED, Status.AWAITING_START)

#: Statuses that carry a start date (reports count these as started at their start date).
STARTED_STATUSES: tuple[str, ...] = (Status.AWAITING_START, Status.ACTIVE, Status.ENDING, Status.ENDED)

#: Statuses in which the participation has actually begun.
BEGUN_STATUSES: tuple[str, ...] = (Status.ACTIVE, Status.ENDING, Status.ENDED)

#: Statuses with a known last day of participation (`end_date`).
ENDING_STATUSES: tuple[str, ...] = (Status.ENDING, Status.ENDED)

#: Declared and not yet over, with a fixed start: the start and the end of the binding are
#: still dates to remember.
BOUND_STATUSES: tuple[str, ...] = (Status.SUBMITTED, Status.AWAITING_START, Status.ACTIVE, Status.ENDING)

#: Statuses from which an extraordinary cancellation (wichtiger Grund) may be requested.
EXTRAORDINARY_CANCELLABLE_STATUSES: tuple[str, ...] = (Status.AWAITING_START, Status.ACTIVE, Status.ENDING)

#: Void from the start: revoked or rejected (distinct from "ended").
VOID_STATUSES: tuple[str, ...] = (Status.REVOKED, Status.REJECTED)


class EnrollmentError(Exception):
    """A domain rule refused an action; `str(error)` is a clear German message for people."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class TransitionNotAllowed(EnrollmentError):
    """A status change that `TRANSITIONS` does not allow."""

    def __init__(self, from_status: str, to_status: str, message: str | None = None) -> None:
        self.from_status = from_status
        self.to_status = to_status
        if message is None:
            message = str(
                _("Dieser Schritt ist im Status „%(from)s“ nicht möglich (gewünscht: „%(to)s“).")
                % {"from": Status(from_status).label, "to": Status(to_status).label}
            )
        super().__init__(message)


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def ensure_transition(from_status: str, to_status: str) -> None:
    """Raise `TransitionNotAllowed` unless `TRANSITIONS` allows from → to."""
    if not can_transition(from_status, to_status):
        raise TransitionNotAllowed(from_status, to_status)
