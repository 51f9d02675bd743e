"""The enrollment models, one module per concern (one app label, the same tables):
`persons` (insured persons, legal representation), `accounts` (activation codes, e-mail
confirmation), `participation` (the Teilnahmeerklärung, its lifecycle and events),
`requests` (doctor change and extraordinary cancellation, decided by staff), `signin` (login
locks as fund administrators see them)."""

from enrollment.models.accounts import ActivationCode, EmailConfirmation
from enrollment.models.participation import (
    DECLARATION_CHANNELS,
    Channel,
    EventReason,
    InstructionMethod,
    Participation,
    ParticipationEvent,
    SignerKind,
)
from enrollment.models.persons import InsuredPerson, LegalRepresentation, age_on
from enrollment.models.requests import (
    CancellationRequest,
    DoctorChangeRequest,
    ImportantReason,
    RequestDecision,
)
from enrollment.models.signin import LoginLockout

__all__ = [
    "DECLARATION_CHANNELS",
    "ActivationCode",
    "CancellationRequest",
    "Channel",
    "DoctorChangeRequest",
    "EmailConfirmation",
    "EventReason",
    "ImportantReason",
    "InstructionMethod",
    "InsuredPerson",
    "LegalRepresentation",
    "LoginLockout",
    "Participation",
    "ParticipationEvent",
    "RequestDecision",
    "SignerKind",
    "age_on",
]
