"""Documents for people — receipt and confirmations — issued once and served as issued.

`document_for_event(event)` returns the stored document of an event, rendering and storing
it the first time (PDF/UA via WeasyPrint, SHA-256 kept beside the file). The services queue
the issue right after the event's transaction commits (`issue_document_on_commit`), so the
document shows the state at that moment; a download before the task ran renders it then,
from the event's own status, never from a later one. A document is never rendered twice:
the row is unique per event and refuses to change.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enrollment import receipts
from enrollment.models import DocumentKind, EventReason, IssuedDocument, Participation, ParticipationEvent
from enrollment.representation import representation_kind, voice_for
from programs import dates
from programs.terms.policy import start_rule_text

#: Which event issues which document.
ISSUED_BY: dict[str, str] = {
    EventReason.DECLARED: DocumentKind.RECEIPT,
    EventReason.REVOKED: DocumentKind.REVOCATION,
    EventReason.CONSENT_WITHDRAWN: DocumentKind.REVOCATION,
    EventReason.CANCELLED: DocumentKind.CANCELLATION,
    EventReason.DOCTOR_CHANGE_APPROVED: DocumentKind.DOCTOR_CHANGE,
}


def _as_at(participation: Participation, event: ParticipationEvent) -> Participation:
    """The participation as it stood right after `event` (only what later steps change)."""
    snapshot = copy.copy(participation)
    snapshot.status = event.to_status
    if event.reason_code == EventReason.DECLARED:
        snapshot.revoked_at = None
        snapshot.end_date = None
    return snapshot


def _render(event: ParticipationEvent, kind: str, *, now: dt.datetime) -> bytes:
    p = Participation.objects.select_related("person", "contract__program", "contract__fund", "provider", "signer").get(
        pk=event.participation_id
    )
    state = _as_at(p, event)
    status_label = state.display_state_label(now=event.at)
    if kind == DocumentKind.RECEIPT:
        return receipts.receipt_pdf(
            state,
            now=now,
            context={
                "voice": voice_for(p.person, kind=representation_kind(representative=p.signer, represented=p.person)),
                "deadline": p.revocation_deadline_detail(),
                "start_rule_text": start_rule_text(p.contract),
                "status_label": status_label,
            },
        )
    html = render_to_string(
        "enrollment/confirmation_pdf.html",
        {
            "p": state,
            "event": event,
            "kind": kind,
            "title": DocumentKind(kind).label,
            "status_label": status_label,
            "now": now,
            "LANGUAGE_CODE": translation.get_language() or "de",
            "doctor_change": _doctor_change_facts(event) if kind == DocumentKind.DOCTOR_CHANGE else None,
        },
    )
    return receipts.html_pdf(html)


def _doctor_change_facts(event: ParticipationEvent) -> dict:
    from enrollment.models import DoctorChangeRequest

    request = DoctorChangeRequest.objects.select_related("new_provider").filter(pk=event.data.get("request")).first()
    if request is None:
        return {}
    return {
        "new_provider_name": request.new_provider.name if request.new_provider else "",
        "effective_date": dates.short_date(request.effective_date),
    }


def document_for_event(event: ParticipationEvent, *, now: dt.datetime | None = None) -> IssuedDocument:
    existing = IssuedDocument.objects.filter(event=event).first()
    if existing is not None:
        return existing
    kind = ISSUED_BY[event.reason_code]
    now = now or timezone.now()
    pdf = _render(event, kind, now=now)
    document = IssuedDocument(
        participation_id=event.participation_id,
        event=event,
        kind=kind,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        language=(translation.get_language() or "de")[:5],
        issued_at=now,
    )
    document.file.save(f"{kind}-{event.participation_id}-{event.pk}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:  # issued at the same moment by the worker or another request
        document.file.delete(save=False)
        return IssuedDocument.objects.get(event=event)
    return document


def receipt_for(participation: Participation) -> IssuedDocument:
    event = participation.events.filter(reason_code=EventReason.DECLARED).order_by("at", "pk").first()
    if event is None:
        raise IssuedDocument.DoesNotExist(_("Diese Teilnahme hat keine Erklärung."))
    return document_for_event(event)


def read_verified(document: IssuedDocument) -> bytes:
    """The stored bytes, checked against the checksum taken when the document was issued."""
    with document.file.open("rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise ValueError(f"document {document.pk}: stored file does not match its checksum")
    return data


def issue_document_on_commit(event: ParticipationEvent) -> None:
    """Queue the event's document once the transaction that wrote the event commits."""
    if event.reason_code not in ISSUED_BY:
        return
    from enrollment.tasks import issue_document

    transaction.on_commit(lambda: issue_document.enqueue(event.pk))
