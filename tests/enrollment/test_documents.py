"""Documents as issued: rendered once, stored with a checksum, never re-rendered with a later
status; later steps issue new documents (revocation, cancellation, doctor change)."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from enrollment import documents, services
from enrollment.models import DocumentAlreadyIssued, DocumentKind, IssuedDocument
from tests.fixtures.enrollment import declare

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages))


def test_the_receipt_is_issued_when_the_declaration_commits(bv, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        p = declare(bv, person, None, now=timezone.now())
    receipt = IssuedDocument.objects.get(participation=p)
    assert receipt.kind == DocumentKind.RECEIPT and len(receipt.sha256) == 64
    assert "Empfangsbestätigung" in text_of(documents.read_verified(receipt))


def test_a_receipt_downloaded_after_revocation_is_the_one_issued(client, bv, person):
    p = declare(bv, person, None, now=timezone.now())
    client.force_login(person.user)
    url = reverse("enrollment:receipt", kwargs={"pk": p.pk})
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert "in der Widerrufsfrist" in text_of(first.content)
    services.participation_revoke(participation=p, actor=person.user, now=timezone.now())
    second = client.get(url)
    assert second.content == first.content  # stored, not re-rendered
    assert second["X-Document-SHA256"] == first["X-Document-SHA256"]
    assert "Widerrufen am" not in text_of(second.content)


def test_a_receipt_first_downloaded_after_revocation_shows_the_declarations_status(client, bv, person):
    p = declare(bv, person, None, now=timezone.now())
    services.participation_revoke(participation=p, actor=person.user, now=timezone.now())
    client.force_login(person.user)
    text = text_of(client.get(reverse("enrollment:receipt", kwargs={"pk": p.pk})).content)
    assert "in der Widerrufsfrist" in text
    assert "Widerrufen am" not in text


def test_revocation_issues_its_own_confirmation(client, bv, person, other_person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        p = declare(bv, person, None, now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.participation_revoke(participation=p, actor=person.user, now=timezone.now())
    confirmation = IssuedDocument.objects.get(participation=p, kind=DocumentKind.REVOCATION)
    receipt = IssuedDocument.objects.get(participation=p, kind=DocumentKind.RECEIPT)
    client.force_login(person.user)
    page = client.get(reverse("enrollment:detail", kwargs={"pk": p.pk})).content.decode()
    url = reverse("enrollment:document", kwargs={"pk": p.pk, "document_id": confirmation.pk})
    assert url in page
    # the receipt has its own link (enrollment:receipt), not a second one among the confirmations
    assert reverse("enrollment:document", kwargs={"pk": p.pk, "document_id": receipt.pk}) not in page
    assert page.count(reverse("enrollment:detail", kwargs={"pk": p.pk}) + "dokumente/") == 1
    text = text_of(client.get(url).content)
    assert "Bestätigung des Widerrufs" in text and "unwirksam" in text
    client.force_login(other_person.user)
    assert client.get(url).status_code == 404


def test_an_issued_document_never_changes(bv, person):
    p = declare(bv, person, None, now=timezone.now())
    receipt = documents.receipt_for(p)
    assert documents.receipt_for(p).pk == receipt.pk  # a second request finds it
    receipt.sha256 = "0" * 64
    with pytest.raises(DocumentAlreadyIssued):
        receipt.save()


def test_a_tampered_file_is_refused(bv, person):
    p = declare(bv, person, None, now=timezone.now())
    receipt = documents.receipt_for(p)
    with open(receipt.file.path, "ab") as stored:
        stored.write(b"x")
    with pytest.raises(ValueError, match="checksum"):
        documents.read_verified(receipt)


def test_receipt_and_confirmation_name_the_fund_as_sender_with_its_address_for_a_written_revocation(
    bv, person, django_capture_on_commit_callbacks
):
    fund = bv.fund
    assert fund.postal_address  # the AOKs come with their head office's address
    p = declare(bv, person, None, now=timezone.now())
    receipt = text_of(documents.read_verified(documents.receipt_for(p)))
    assert f"Absender: {fund.name} · {fund.postal_address.replace(', ', ' · ')}" in receipt
    assert "formlos schriftlich richten an" in receipt
    assert f"{fund.name} {fund.postal_address}" in receipt
    assert f"Teilnahme Nr. {p.pk}" in receipt
    with django_capture_on_commit_callbacks(execute=True):
        services.participation_revoke(participation=p, actor=person.user, now=timezone.now())
    confirmation = IssuedDocument.objects.get(participation=p, kind=DocumentKind.REVOCATION)
    text = text_of(documents.read_verified(confirmation))
    assert f"Absender: {fund.name}" in text and fund.postal_address in text


def test_an_english_receipt_says_that_only_the_german_texts_are_binding(bv, person):
    from django.utils import translation

    p = declare(bv, person, None, now=timezone.now())
    with translation.override("en"):
        english = text_of(documents.read_verified(documents.receipt_for(p)))
    assert "Receipt" in english or "receipt" in english
    assert "only the German text is legally binding" in english
    assert p.declaration_text.split()[0] in english  # the German text itself, unchanged
