"""Mandatory second factor for staff: setup on first login, every admin URL closed until then,
recovery codes (shown once, single use, regenerable), passkey and app removal guards."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from enrollment.accounts import second_factor
from tests.factories import InsuredPersonFactory, StaffMembershipFactory
from tests.fixtures.signin import mark_session_verified

pytestmark = pytest.mark.django_db
PASSWORD = "Sicheres-Passwort-2026"


def _code(device: TOTPDevice, *, later: int = 0) -> str:
    otp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    otp.time = time.time() + later * device.step
    return f"{otp.token():0{device.digits}d}"


@pytest.fixture
def clerk(aoks):
    return StaffMembershipFactory(fund=aoks["aok-bw"], user__username="sb.bw").user


def _admin_urls() -> list[str]:
    """Every kind of admin page, generated from the registry (models added later are covered)."""
    urls = [reverse("admin:index"), reverse("admin:password_change"), reverse("admin:autocomplete")]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        urls.append(reverse("admin:app_list", args=[opts.app_label]))
        for name, args in (("changelist", []), ("add", []), ("change", [1]), ("history", [1]), ("delete", [1])):
            try:
                urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args))
            except NoReverseMatch:
                continue
        for pattern in model_admin.get_urls():  # custom views (decisions, work queues, ...)
            if pattern.name and not pattern.pattern.converters:
                urls.append(reverse(f"admin:{pattern.name}"))
    return sorted(set(urls))


def _final_redirect(client, url: str) -> str:
    """Follow redirects inside the admin (its login view decides where a staff member goes)."""
    response = client.get(url)
    while response.status_code == 302 and response["Location"].startswith("/verwaltung/"):
        response = client.get(response["Location"])
    assert response.status_code == 302, url
    return response["Location"]


def test_staff_without_second_factor_is_sent_to_setup_from_every_admin_url(plain_client, clerk):
    plain_client.force_login(clerk)
    urls = _admin_urls()
    assert len(urls) > 30
    for url in urls:
        assert _final_redirect(plain_client, url) == f"{reverse('accounts:totp_setup')}?{urlencode({'next': url})}"


def test_superuser_without_second_factor_is_sent_to_setup(plain_client, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    plain_client.force_login(root)
    assert _final_redirect(plain_client, reverse("admin:index")).startswith(reverse("accounts:totp_setup"))


def test_staff_with_device_but_unverified_session_must_sign_in_again(plain_client, clerk):
    TOTPDevice.objects.create(user=clerk, name="App", confirmed=True)
    plain_client.force_login(clerk)
    target = _final_redirect(plain_client, reverse("admin:enrollment_participation_changelist"))
    assert target.startswith(reverse("login"))


def test_first_login_of_a_clerk_leads_through_totp_setup_to_the_admin(plain_client, clerk):
    client = plain_client
    response = client.post(
        reverse("login") + "?next=/verwaltung/", {"username": "sb.bw", "password": PASSWORD, "next": "/verwaltung/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:totp_setup')}?{urlencode({'next': '/verwaltung/'})}"
    assert client.get("/verwaltung/").status_code == 302  # still closed

    page = client.get(response["Location"])
    content = page.content.decode()
    assert "Für die Verwaltung ist ein zweiter Faktor Pflicht" in content
    assert "Später" not in content  # staff cannot skip it
    assert 'id="passkey-register-button"' in content and "otp_webauthn_register.js" in content
    secret = re.search(r'<code class="app-secret">([A-Z2-7 ]+)</code>', content).group(1)
    device = TOTPDevice.objects.get(user=clerk, confirmed=False)
    assert secret.replace(" ", "") in device.config_url

    done = client.post(response["Location"], {"token": _code(device)})
    codes = re.findall(r'<code class="app-recovery-code">([a-z2-9-]+)</code>', done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/verwaltung/"' in done.content.decode()
    assert client.get("/verwaltung/").status_code == 200


def test_insured_may_skip_the_second_factor(client, aoks):
    person = InsuredPersonFactory(user__username="vera@example.org")
    response = client.post(reverse("login"), {"username": "vera@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not second_factor.second_factor_required(person.user)


# --------------------------------------------------------------------------- recovery codes


def _reset_throttle(user) -> None:
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def _login_with_code(client, username, code):
    first = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert first.status_code == 302 and first["Location"] == reverse("accounts:login_token")
    return client.post(reverse("accounts:login_token"), {"token": code})


def test_recovery_code_signs_in_once(plain_client, clerk):
    TOTPDevice.objects.create(user=clerk, name="App", confirmed=True)
    codes = second_factor.recovery_codes_generate(user=clerk)
    assert StaticToken.objects.filter(device__user=clerk).count() == 10

    ok = _login_with_code(plain_client, "sb.bw", codes[0].upper())  # letter case and hyphen do not matter
    assert ok.status_code == 302 and "_auth_user_id" in plain_client.session
    assert plain_client.session[DEVICE_ID_SESSION_KEY].startswith("otp_static.")
    assert plain_client.get("/verwaltung/").status_code == 200
    assert second_factor.recovery_codes_left(clerk) == 9
    plain_client.logout()

    again = _login_with_code(plain_client, "sb.bw", codes[0])
    assert again.status_code == 200 and "<title>Fehler: " in again.content.decode()
    assert "_auth_user_id" not in plain_client.session
    _reset_throttle(clerk)  # django-otp also slows down a device after a wrong code
    assert _login_with_code(plain_client, "sb.bw", codes[1].replace("-", "")).status_code == 302


def test_regenerated_recovery_codes_replace_the_old_ones(client, clerk):
    old = second_factor.recovery_codes_generate(user=clerk)
    client.force_login(clerk)  # verified session
    page = client.post(reverse("accounts:recovery_codes"))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    new = re.findall(r'<code class="app-recovery-code">([a-z2-9-]+)</code>', page.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    client.logout()
    assert _login_with_code(client, "sb.bw", old[0]).status_code == 200
    _reset_throttle(clerk)
    assert _login_with_code(client, "sb.bw", new[0]).status_code == 302


def test_recovery_codes_need_a_verified_session(plain_client, clerk):
    TOTPDevice.objects.create(user=clerk, name="App", confirmed=True)
    plain_client.force_login(clerk)
    response = plain_client.post(reverse("accounts:recovery_codes"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not StaticToken.objects.filter(device__user=clerk).exists()


def test_setup_page_shows_how_many_recovery_codes_are_left(client, clerk):
    client.force_login(clerk)
    second_factor.recovery_codes_generate(user=clerk)
    content = client.get(reverse("accounts:totp_setup")).content.decode()
    assert "noch 10 unbenutzte Wiederherstellungscodes" in content


# --------------------------------------------------------------------------- keeping a factor


def test_staff_cannot_switch_off_the_only_second_factor(client, clerk):
    client.force_login(clerk)
    device = TOTPDevice.objects.get(user=clerk)
    response = client.post(reverse("accounts:totp_disable"), {"token": _code(device)})
    assert response.status_code == 400 and "zweiter Faktor Pflicht" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_staff_cannot_remove_the_only_passkey(plain_client, clerk):
    client = plain_client
    passkey = WebAuthnCredential.objects.create(
        user=clerk, name="Passkey", confirmed=True, credential_id=b"x" * 16, public_key=b"k", sign_count=0
    )
    client.force_login(clerk)
    mark_session_verified(client, passkey)
    client.post(reverse("accounts:passkey_remove", args=[passkey.pk]))
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    second = WebAuthnCredential.objects.create(
        user=clerk, name="Passkey 2", confirmed=True, credential_id=b"y" * 16, public_key=b"k", sign_count=0
    )
    client.post(reverse("accounts:passkey_remove", args=[passkey.pk]))
    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert WebAuthnCredential.objects.filter(pk=second.pk).exists()


def test_login_with_only_a_passkey_asks_for_the_second_step(plain_client, clerk):
    WebAuthnCredential.objects.create(
        user=clerk, name="Passkey", confirmed=True, credential_id=b"z" * 16, public_key=b"k", sign_count=0
    )
    response = plain_client.post(reverse("login"), {"username": "sb.bw", "password": PASSWORD})
    assert response["Location"] == reverse("accounts:login_token")
    page = plain_client.get(response["Location"]).content.decode()
    assert 'id="passkey-verification-button"' in page and "otp_webauthn_auth.js" in page
    assert "<script>" not in page  # no inline script under the strict CSP
