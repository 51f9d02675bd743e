"""The enrollment models, one module per concern (one app label, the same tables):
`persons` (insured persons, legal representation), `accounts` (activation codes, e-mail
confirmation), `participation` (the Teilnahmeerklärung, its lifecycle and events),
`requests` (doctor change and extraordinary cancellation, decided by staff), `signin` (login
locks as fund administrators see them), `links` (account links and legal representations
recorded by staff), `documents` (receipts and confirmations as issued), `letters` (activation letters as issued),
`retention` (what remains of participations deleted after the retention period)."""

from enrollment.models.accounts import AccountVersion, ActivationCode, EmailConfirmation, SessionEpoch
from enrollment.models.documents import DocumentAlreadyIssued, DocumentKind, IssuedDocument
from enrollment.models.letters import ActivationLetter, ActivationLetterBatch, LetterAlreadyIssued
from enrollment.models.links import PersonLinkEvent
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
from enrollment.models.retention import RetainedCount, RetainedMeasure, RetentionDeletion
from enrollment.models.signin import LoginLockout

__all__ = [
    "AccountVersion",
    "RetainedCount",
    "RetainedMeasure",
    "RetentionDeletion",
    "DECLARATION_CHANNELS",
    "ActivationCode",
    "ActivationLetter",
    "ActivationLetterBatch",
    "CancellationRequest",
    "Channel",
    "DoctorChangeRequest",
    "EmailConfirmation",
    "EventReason",
    "ImportantReason",
    "DocumentAlreadyIssued",
    "DocumentKind",
    "InstructionMethod",
    "IssuedDocument",
    "InsuredPerson",
    "LegalRepresentation",
    "LetterAlreadyIssued",
    "LoginLockout",
    "Participation",
    "ParticipationEvent",
    "PersonLinkEvent",
    "SessionEpoch",
    "RequestDecision",
    "SignerKind",
    "age_on",
]
