"""Legal pages: filled from the operator's data, missing items plainly marked, German and English,
a working accessibility feedback form, operator-only editing, a production check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from legal.models import AccessibilityFeedback, LegalInformation
from legal.services import FEEDBACK_PER_HOUR

pytestmark = pytest.mark.django_db

PAGES = ["imprint", "privacy", "accessibility", "easy_language"]


@pytest.fixture
def filled():
    info = LegalInformation.current()
    for name, value in {
        "operator_name": "AOK Musterland",
        "legal_form": "Körperschaft des öffentlichen Rechts",
        "represented_by": "den Vorstand, Erika Beispiel",
        "street": "Musterstraße 1",
        "postal_code": "01067",
        "city": "Dresden",
        "email": "kontakt@aok-musterland.example",
        "supervisory_authority": "Sächsisches Staatsministerium für Soziales",
        "dpo_name": "Max Datenschutz",
        "dpo_email": "datenschutz@aok-musterland.example",
        "data_protection_authority": "Sächsische Datenschutz- und Transparenzbeauftragte",
        "statement_date": dt.date(2026, 11, 30),
        "feedback_email": "barrierefrei@aok-musterland.example",
        "arbitration_body": "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz",
        "arbitration_contact": "Mauerstraße 53, 10117 Berlin",
    }.items():
        setattr(info, name, value)
    info.save()
    return info


@pytest.mark.parametrize("page", PAGES)
def test_every_legal_page_is_linked_from_the_footer(client, page):
    home = client.get(reverse("privacy")).content.decode()
    assert f'href="{reverse(page)}"' in home
    assert "Platzhalter" not in home


@pytest.mark.parametrize("page", ["imprint", "privacy", "accessibility"])
def test_missing_items_are_named_on_the_page(client, page):
    body = client.get(reverse(page)).content.decode()
    assert "Diese Seite ist noch nicht vollständig" in body
    assert "Angabe fehlt" in body
    for label in LegalInformation.current().missing(page):
        assert label in body


@pytest.mark.parametrize("page", ["imprint", "privacy", "accessibility"])
def test_filled_pages_show_the_operator_data_and_no_gaps(client, filled, page):
    body = client.get(reverse(page)).content.decode()
    assert "AOK Musterland" in body
    assert "Angabe fehlt" not in body and "noch nicht vollständig" not in body


def test_imprint_names_representation_and_supervision(client, filled):
    body = client.get(reverse("imprint")).content.decode()
    assert "den Vorstand, Erika Beispiel" in body
    assert "Sächsisches Staatsministerium für Soziales" in body


def test_privacy_notice_covers_purposes_bases_recipients_retention_rights(client, filled):
    body = client.get(reverse("privacy")).content.decode()
    for heading in ["Zwecke und Rechtsgrundlagen", "Empfänger", "Speicherdauer", "Ihre Rechte"]:
        assert heading in body
    assert "Art. 9 Abs. 2 Buchst. h DSGVO" in body
    assert "Max Datenschutz" in body and "datenschutz@aok-musterland.example" in body


def test_accessibility_statement_names_status_date_and_arbitration(client, filled):
    body = client.get(reverse("accessibility")).content.decode()
    assert "teilweise vereinbar" in body
    assert "30.11.2026" in body
    assert "Schlichtungsstelle nach dem Behindertengleichstellungsgesetz" in body


@pytest.mark.parametrize("page", PAGES)
def test_english_pages_say_the_german_text_binds(client, filled, page):
    body = client.get(reverse(page), headers={"accept-language": "en"}).content.decode()
    assert "Only the German text is legally binding" in body
    assert '<html lang="en"' in body


def test_feedback_is_stored_and_mailed_to_the_operator(client, filled, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accessibility"),
            {"message": "Die Karte ist mit dem Screenreader nicht bedienbar.", "page_url": "/leistungserbringer/"},
        )
    assert response.status_code == 302
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.page_url == "/leistungserbringer/" and feedback.mailed_to == "barrierefrei@aok-musterland.example"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["barrierefrei@aok-musterland.example"]
    assert "Screenreader" in mail.outbox[0].body
    follow = client.get(response.url).content.decode()
    assert "Ihre Rückmeldung ist bei uns eingegangen" in follow


def test_feedback_errors_are_german_and_at_the_field(client, filled):
    response = client.post(reverse("accessibility"), {"message": "", "contact_email": "nicht-gueltig"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Bitte schreiben Sie uns, welche Barriere Sie bemerkt haben." in body
    assert "Bitte geben Sie eine gültige E-Mail-Adresse ein" in body
    assert 'href="#id_message"' in body  # the error summary links to the field
    assert "<title>Fehler: " in body
    assert not AccessibilityFeedback.objects.exists() and not mail.outbox


def test_feedback_is_limited_per_client(client, filled):
    for _ in range(FEEDBACK_PER_HOUR):
        assert client.post(reverse("accessibility"), {"message": "Barriere"}).status_code == 302
    response = client.post(reverse("accessibility"), {"message": "Barriere"})
    assert response.status_code == 200
    assert "schon mehrere Rückmeldungen" in response.content.decode()
    assert AccessibilityFeedback.objects.count() == FEEDBACK_PER_HOUR


def test_feedback_without_operator_address_is_still_stored(client):
    assert client.post(reverse("accessibility"), {"message": "Kontrast zu schwach"}).status_code == 302
    assert AccessibilityFeedback.objects.get().mailed_to == ""
    assert not mail.outbox


def test_only_the_operator_edits_legal_information(client, django_user_model, filled):
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.set(Permission.objects.filter(content_type__app_label="legal"))
    admin_url = reverse("admin:legal_legalinformation_change", args=[1])
    operator = django_user_model.objects.create_superuser("operator", "op@example.org", "x")
    client.force_login(clerk)
    assert client.get(admin_url).status_code in {302, 403}
    client.force_login(operator)
    response = client.get(admin_url)
    if response.status_code == 302:  # the admin may first ask for a second factor
        pytest.skip("admin requires a second factor for the operator in this configuration")
    assert response.status_code == 200


@override_settings(DEBUG=False)
def test_production_check_warns_while_items_are_missing(capsys):
    from legal.checks import legal_information_complete

    assert [w.id for w in legal_information_complete(None)] == ["legal.W001"]
    LegalInformation.current()
    warnings = legal_information_complete(None)
    assert [w.id for w in warnings] == ["legal.W002"] and "Name des Anbieters" in warnings[0].msg


@override_settings(DEBUG=False)
def test_production_check_is_quiet_when_complete(filled):
    from legal.checks import legal_information_complete

    assert legal_information_complete(None) == []
    call_command("check", "--deploy", "--tag", "legal", "--fail-level", "WARNING")
