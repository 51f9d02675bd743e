from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from enrollment.accounts import services
from enrollment.models import ActivationCode, EmailConfirmation
from tests.factories import InsuredPersonFactory, LegalRepresentationFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Lotse-Test-Kennwort-2026"


def _token(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The device's current TOTP (optionally a later step, to avoid django-otp's replay guard)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def _form(person, code, **overrides):
    data = {
        "kvnr": person.kvnr,
        "birth_date": person.birth_date.strftime("%d.%m.%Y"),
        "code": code,
        "email": "clara@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.fixture
def code(clara):
    plain, _ = services.activation_code_issue(person=clara, issued_by=None, now=timezone.now())
    return plain


# --------------------------------------------------------------------------- registration


def test_register_view_happy_path(client, clara, code, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:register"), _form(clara, code))
    assert response.status_code == 302 and response.url == reverse("accounts:welcome")
    clara.refresh_from_db()
    assert clara.user.username == "clara@example.org"
    assert int(client.session["_auth_user_id"]) == clara.user.pk
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/konto/email/bestaetigen/\S+/)", mail.outbox[0].body).group(1)
    welcome = client.get(reverse("accounts:welcome"))
    assert reverse("accounts:totp_setup") in welcome.content.decode()  # 2FA offered prominently
    confirm = client.get(link)
    assert confirm.status_code == 200
    assert EmailConfirmation.objects.get(user=clara.user).confirmed_at is not None


def test_register_view_wrong_data_generic_error(client, clara, code):
    response = client.post(reverse("accounts:register"), _form(clara, code, birth_date="01.01.1990"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<title>Fehler: " in content
    assert "Die Angaben passen nicht zusammen" in content
    assert not User.objects.filter(username="clara@example.org").exists()
    assert "_auth_user_id" not in client.session


def test_register_view_field_errors_listed_in_summary(client, clara, code):
    response = client.post(reverse("accounts:register"), _form(clara, code, kvnr="A123", password2="anders"))
    content = response.content.decode()
    assert 'class="kern-alert kern-alert--danger app-error-summary"' in content
    assert 'href="#id_kvnr"' in content and 'href="#id_password2"' in content
    assert ActivationCode.objects.get().used_at is None


def test_register_view_double_submit_one_user(client, clara, code):
    first = client.post(reverse("accounts:register"), _form(clara, code))
    client.logout()
    second = client.post(reverse("accounts:register"), _form(clara, code))
    assert first.status_code == second.status_code == 302
    assert User.objects.filter(username="clara@example.org").count() == 1


def test_register_view_rate_limit_message(client, clara, code):
    for _ in range(services.REGISTRATION_MAX_FAILURES):
        client.post(reverse("accounts:register"), _form(clara, "WRNG-WRNG-WRNG"))
    response = client.post(reverse("accounts:register"), _form(clara, code))
    assert "Zu viele Versuche" in response.content.decode()
    clara.refresh_from_db()
    assert clara.user is None


# --------------------------------------------------------------------------- login


@pytest.fixture
def insured(aoks):
    return InsuredPersonFactory(user__username="clara@example.org", user__email="clara@example.org")


def test_login_is_case_insensitive_for_email(client, insured):
    response = client.post(reverse("login"), {"username": "  Clara@Example.ORG ", "password": "Sicheres-Passwort-2026"})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == insured.user.pk


def test_login_wrong_password_refused(client, insured):
    response = client.post(reverse("login"), {"username": "clara@example.org", "password": "falsch-falsch"})
    assert response.status_code == 200 and "<title>Fehler: " in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_with_totp_asks_for_token(client, insured):
    device = TOTPDevice.objects.create(user=insured.user, name="App", confirmed=True)
    response = client.post(
        reverse("login") + "?next=/konto/",
        {"username": "clara@example.org", "password": "Sicheres-Passwort-2026", "next": "/konto/"},
    )
    assert response.status_code == 302 and response.url == reverse("accounts:login_token")
    assert "_auth_user_id" not in client.session  # not signed in after the password alone
    assert client.get(reverse("accounts:account")).status_code == 302

    wrong = client.post(
        reverse("accounts:login_token"), {"token": "000000" if _token(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and "<title>Fehler: " in wrong.content.decode()
    assert "_auth_user_id" not in client.session

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    ok = client.post(reverse("accounts:login_token"), {"token": _token(device)})
    assert ok.status_code == 302 and ok.url == "/konto/"
    assert int(client.session["_auth_user_id"]) == insured.user.pk
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    page = client.get(reverse("accounts:account"))
    assert page.status_code == 200 and "eingeschaltet" in page.content.decode()


def test_login_token_step_needs_password_step(client, insured):
    TOTPDevice.objects.create(user=insured.user, name="App", confirmed=True)
    response = client.post(reverse("accounts:login_token"), {"token": "123456"})
    assert response.status_code == 302 and response.url == reverse("login")


def test_login_unconfirmed_device_not_asked(client, insured):
    TOTPDevice.objects.create(user=insured.user, name="App", confirmed=False)
    response = client.post(reverse("login"), {"username": "clara@example.org", "password": "Sicheres-Passwort-2026"})
    assert response.status_code == 302 and "_auth_user_id" in client.session


# --------------------------------------------------------------------------- TOTP setup


def test_totp_setup_shows_qr_and_confirms(client, insured):
    client.force_login(insured.user)
    page = client.get(reverse("accounts:totp_setup"))
    content = page.content.decode()
    svg = re.search(r"<svg.*?</svg>", content, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "style=" not in svg
    assert "<script" not in svg
    device = TOTPDevice.objects.get(user=insured.user, confirmed=False)
    assert re.search(r'<code class="app-secret">[A-Z2-7 ]{16,}</code>', content)

    bad = client.post(reverse("accounts:totp_setup"), {"token": "12345x"})
    assert "<title>Fehler: " in bad.content.decode()
    ok = client.post(reverse("accounts:totp_setup"), {"token": _token(device)})
    assert ok.status_code == 200 and "no-store" in ok["Cache-Control"]  # recovery codes, shown once
    assert len(re.findall(r'<code class="app-recovery-code">[a-z2-9]{5}-[a-z2-9]{5}</code>', ok.content.decode())) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_totp_disable_needs_current_token(client, insured):
    device = TOTPDevice.objects.create(user=insured.user, name="App", confirmed=True)
    client.force_login(insured.user)
    refused = client.post(reverse("accounts:totp_disable"), {"token": "000000" if _token(device) != "000000" else "1"})
    assert refused.status_code == 400 and TOTPDevice.objects.filter(pk=device.pk).exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    done = client.post(reverse("accounts:totp_disable"), {"token": _token(device)})
    assert done.status_code == 302 and not TOTPDevice.objects.filter(user=insured.user).exists()


# --------------------------------------------------------------------------- account page, email


def test_account_page_lists_person_children_and_status(client, aoks):
    parent = InsuredPersonFactory(first_name="Paul", last_name="Becker")
    mia = InsuredPersonFactory(first_name="Mia", last_name="Becker", user=None, birth_date=dt.date(2016, 6, 1))
    stranger_child = InsuredPersonFactory(first_name="Fremdes", last_name="Kind", user=None)
    LegalRepresentationFactory(representative=parent, represented=mia)
    EmailConfirmation.objects.create(user=parent.user, email=parent.user.email)
    client.force_login(parent.user)
    content = client.get(reverse("accounts:account")).content.decode()
    assert parent.kvnr in content and "Mia Becker" in content
    assert "Sie geben Erklärungen für diese Person ab." in content
    assert stranger_child.last_name not in content
    assert "noch nicht bestätigt" in content and reverse("accounts:email_resend") in content
    assert reverse("accounts:totp_setup") in content


def test_account_page_requires_login(client):
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_email_resend_sends_new_link(client, insured, django_capture_on_commit_callbacks):
    client.force_login(insured.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:email_resend"))
        client.post(reverse("accounts:email_resend"))  # within a minute: refused
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["clara@example.org"]


def test_email_confirm_view_bad_token(client):
    response = client.get(reverse("accounts:email_confirm", kwargs={"token": "kaputt"}))
    assert response.status_code == 400 and "<title>Fehler: " in response.content.decode()


def test_password_reset_sends_link_and_sets_password(client, insured):
    response = client.post(reverse("accounts:password_reset"), {"email": "CLARA@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/konto/passwort/neu/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new = "Ganz-Neues-Kennwort-2027"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done.url == reverse("accounts:password_reset_complete")
    insured.user.refresh_from_db()
    assert insured.user.check_password(new)


def test_password_change_page_renders(client, insured):
    client.force_login(insured.user)
    response = client.post(
        reverse("accounts:password_change"), {"old_password": "x", "new_password1": "a", "new_password2": "b"}
    )
    assert response.status_code == 200 and "<title>Fehler: " in response.content.decode()


def test_register_page_in_english(client):
    response = client.get(reverse("accounts:register"), HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    assert "<title>Create account" in content and "Activation code" in content
