"""The domain errors of the enrollment services: each a clear German message for people.

Views turn them into form errors or messages; `EnrollmentError` and `TransitionNotAllowed`
live in `enrollment.lifecycle`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from enrollment.lifecycle import EnrollmentError

if TYPE_CHECKING:
    from enrollment.models import Participation
    from programs.eligibility import Check


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
        from enrollment.services._common import _date  # _common raises errors of this module

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
