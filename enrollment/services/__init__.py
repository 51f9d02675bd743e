"""Every write that changes a participation: one service per transition, one module per concern.

Each service is keyword-only and typed, takes `now=` (no hidden clock), runs in
`transaction.atomic()`, locks the participation row (`select_for_update()`), checks its guard
(a predicate on the model such as `Participation.can_confirm_doctor()`, and
`lifecycle.ensure_transition`), writes exactly one `ParticipationEvent` per step, and sends
mail only after commit (`transaction.on_commit`). Refusals are `EnrollmentError` subclasses
with a clear German message; views turn them into form errors or messages. Nothing else
assigns `Participation.status`.

All dates come from `programs.terms.schedule` / `programs.terms.deadlines`; "today" is always
`timezone.localdate(now)` (Europe/Berlin).

Modules: `declaration` (declare, later Belehrung), `doctor_confirmation` (DMP),
`revocation`, `term` (start, renewal, end, rejection), `cancellation` (ordinary and for a
wichtiger Grund), `doctor_change`, `reminders`, `errors`; `_common` holds the lock, the
event row and the checked status change. Callers import from `enrollment.services`.
`links` (account links and legal representations, with `PersonLinkEvent` rows) is imported
as `enrollment.services.links`.
"""

from enrollment.services.cancellation import (
    cancellation_request_decide,
    participation_cancel,
    participation_request_extraordinary_cancellation,
)
from enrollment.services.declaration import (
    REQUIRED_CONSENTS,
    participation_declare,
    participation_record_instruction,
)
from enrollment.services.doctor_change import (
    doctor_change_apply,
    doctor_change_decide,
    doctor_change_effective_date,
    participation_request_doctor_change,
)
from enrollment.services.doctor_confirmation import participation_confirm_doctor
from enrollment.services.errors import (
    ConsentMissing,
    DoctorChangeNotAllowed,
    DuplicateParticipation,
    NotAllowedToDeclare,
    NotCancellable,
    NotEligible,
    ProviderNotInContract,
    RequestAlreadyDecided,
    RevocationPeriodOver,
)
from enrollment.services.reminders import REMINDER_BEFORE, participation_send_cancellation_reminder
from enrollment.services.revocation import participation_close_revocation_period, participation_revoke
from enrollment.services.term import participation_end, participation_reject, participation_renew, participation_start

__all__ = [
    "REMINDER_BEFORE",
    "REQUIRED_CONSENTS",
    "ConsentMissing",
    "DoctorChangeNotAllowed",
    "DuplicateParticipation",
    "NotAllowedToDeclare",
    "NotCancellable",
    "NotEligible",
    "ProviderNotInContract",
    "RequestAlreadyDecided",
    "RevocationPeriodOver",
    "cancellation_request_decide",
    "doctor_change_apply",
    "doctor_change_decide",
    "doctor_change_effective_date",
    "participation_cancel",
    "participation_close_revocation_period",
    "participation_confirm_doctor",
    "participation_declare",
    "participation_end",
    "participation_record_instruction",
    "participation_reject",
    "participation_renew",
    "participation_request_doctor_change",
    "participation_request_extraordinary_cancellation",
    "participation_revoke",
    "participation_send_cancellation_reminder",
    "participation_start",
]
