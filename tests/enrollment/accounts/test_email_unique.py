"""One e-mail address, one account (issue 9 §2): a second account on someone's address would
receive that mailbox's password-reset links too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from enrollment.accounts import services
from tests.enrollment.accounts.test_services import NOW, PASSWORD, _register

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_the_database_refuses_a_second_account_on_one_address_in_any_case():
    User.objects.create_user("erste", email="Post@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("zweite", email="post@example.ORG")
    User.objects.create_user("ohne-adresse-1", email="")
    User.objects.create_user("ohne-adresse-2", email="")  # no address is no conflict


def test_registration_with_an_address_of_another_account_is_refused(clara):
    User.objects.create_user("sachbearbeitung.x", email="clara.schmidt@example.org")  # user name differs
    code, _row = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    with pytest.raises(services.EmailAlreadyUsed):
        _register(clara, code, email="Clara.Schmidt@Example.org")
    clara.refresh_from_db()
    assert clara.user_id is None


def test_password_reset_mails_one_account(client, clara, django_capture_on_commit_callbacks):
    code, _row = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    _register(clara, code, email="clara@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "CLARA@example.org"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["clara@example.org"]


def test_login_with_the_email_address_of_an_account_whose_user_name_differs(client):
    User.objects.create_user("anna.adler", email="Anna@Example.org", password=PASSWORD)
    response = client.post(reverse("login"), {"username": "anna@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_admin_says_at_the_field_when_an_address_is_taken(client, aoks):
    User.objects.create_user("vergeben", email="vergeben@example.org")
    staff = User.objects.create_user("kollegin", email="kollegin@example.org", is_staff=True)
    operator = User.objects.create_superuser("op", "op@example.org", "x")
    client.force_login(operator)
    url = reverse("admin:auth_user_change", args=[staff.pk])
    page = client.get(url)
    data = {
        k: v
        for k, v in page.context["adminform"].form.initial.items()
        if v is not None and not isinstance(v, (list, dt.datetime))
    }
    data.update(
        {
            "username": "kollegin",
            "email": "VERGEBEN@example.org",
            "date_joined_0": "01.01.2026",
            "date_joined_1": "10:00:00",
            "membership-TOTAL_FORMS": "0",
            "membership-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Diese E-Mail-Adresse kann nicht verwendet werden" in response.content.decode()
    staff.refresh_from_db()
    assert staff.email == "kollegin@example.org"
