"""Staff sign-in as a clerk clicks it, in Debian's chromium, with axe checks.

1. First login of a clerk: the admin sends her to set up the authenticator app; she reads the
   secret from the page, her "app" (django-otp's TOTP) computes the code, she keeps the recovery
   codes and reaches the admin. Next time she signs in with a recovery code.
2. Passkey: a clerk registers a passkey on Chromium's virtual authenticator (DevTools protocol,
   ctap2 / internal / resident key / user verification) and later signs in with it alone.
3. Without JavaScript the app setup still works (no passkey button then).
"""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sicheres-Passwort-2026"  # tests.factories.UserFactory


@pytest.fixture
def clerk(aoks):
    from tests.factories import StaffMembershipFactory

    return StaffMembershipFactory(fund=aoks["aok-bw"], user__username="sachbearbeitung.test").user


def totp_now(secret_groups: str) -> str:
    from django_otp.oath import totp

    secret = secret_groups.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def sign_in(page, base: str, username: str) -> None:
    page.get_by_label("E-Mail-Adresse oder Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()


def test_clerk_sets_up_totp_on_first_login(page, live_server, clerk, assert_no_axe_violations):
    base = live_server.url
    page.goto(f"{base}/verwaltung/")
    assert "/konto/anmelden/" in page.url
    sign_in(page, base, "sachbearbeitung.test")

    # Led to the setup before any admin page.
    assert "/konto/zwei-faktor/" in page.url
    assert page.get_by_text("Für die Verwaltung ist ein zweiter Faktor Pflicht").first.is_visible()
    assert page.get_by_role("img", name="QR-Code zum Einrichten der Authenticator-App").is_visible()
    assert_no_axe_violations(page)
    page.goto(f"{base}/verwaltung/enrollment/participation/")  # trying to skip it does not work
    assert "/konto/zwei-faktor/" in page.url

    secret = page.locator("code.app-secret").inner_text()
    page.get_by_label("Sicherheitscode").fill(totp_now(secret))
    page.get_by_role("button", name="Bestätigen und einschalten").click()

    # Recovery codes, shown once.
    page.get_by_role("heading", name="Ihre Wiederherstellungscodes").wait_for()
    codes = page.locator("code.app-recovery-code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Ich habe die Codes gesichert – weiter").click()
    assert page.url.endswith("/verwaltung/enrollment/participation/")
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()

    # Next login: the phone is at home, a recovery code does it (once).
    page.get_by_role("button", name="Abmelden").click()
    page.goto(f"{base}/verwaltung/")
    sign_in(page, base, "sachbearbeitung.test")
    assert "/konto/anmelden/code/" in page.url
    assert_no_axe_violations(page)
    page.get_by_label("Sicherheitscode oder Wiederherstellungscode").fill(codes[3])
    page.get_by_role("button", name="Anmelden").click()
    assert page.url == f"{base}/verwaltung/"
    expect(page.get_by_role("heading", name="Verwaltung der Kasse")).to_be_visible()


def add_virtual_authenticator(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_clerk_registers_a_passkey_and_signs_in_with_it(page, live_server, clerk, assert_no_axe_violations):
    from django_otp_webauthn.models import WebAuthnCredential

    base = live_server.url
    console = []
    page.on("console", lambda message: console.append(message.text))
    add_virtual_authenticator(page)
    page.goto(f"{base}/verwaltung/")
    sign_in(page, base, "sachbearbeitung.test")
    assert "/konto/zwei-faktor/" in page.url

    # Register: the button comes from django-otp-webauthn's script (static file, strict CSP).
    # The library's script fills in the button and then binds it: let it finish loading first
    # (a click on the bare button does nothing; under load that was a flaky test).
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Passkey einrichten").click()
    page.get_by_text("Passkey, eingerichtet am").wait_for(timeout=60_000)  # passkey.js reloads the page
    assert WebAuthnCredential.objects.filter(user=clerk, confirmed=True).count() == 1
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Wiederherstellungscodes erzeugen").click()
    assert page.locator("code.app-recovery-code").count() == 10
    page.get_by_role("link", name="Ich habe die Codes gesichert – weiter").click()
    assert page.url == f"{base}/verwaltung/"
    expect(page.get_by_role("heading", name="Verwaltung der Kasse")).to_be_visible()

    # Sign out, then in with the passkey alone (no password, no code).
    page.get_by_role("button", name="Abmelden").click()
    page.goto(f"{base}/verwaltung/")
    assert "/konto/anmelden/" in page.url
    assert_no_axe_violations(page)
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Passkey verwenden").click()
    page.wait_for_url(f"{base}/verwaltung/", timeout=60_000)
    expect(page.get_by_role("heading", name="Verwaltung der Kasse")).to_be_visible()
    assert WebAuthnCredential.objects.get(user=clerk).last_used_at is not None
    assert not [text for text in console if "Content Security Policy" in text]  # no script blocked


def test_totp_setup_works_without_javascript(page_nojs, live_server, clerk):
    page, base = page_nojs, live_server.url
    page.goto(f"{base}/verwaltung/")
    sign_in(page, base, "sachbearbeitung.test")
    assert "/konto/zwei-faktor/" in page.url
    assert page.get_by_role("button", name="Passkey einrichten").count() == 0  # needs JavaScript
    page.get_by_label("Sicherheitscode").fill(totp_now(page.locator("code.app-secret").inner_text()))
    page.get_by_role("button", name="Bestätigen und einschalten").click()
    assert page.locator("code.app-recovery-code").count() == 10
    page.get_by_role("link", name="Ich habe die Codes gesichert – weiter").click()
    assert page.url == f"{base}/verwaltung/"
    expect(page.get_by_role("heading", name="Verwaltung der Kasse")).to_be_visible()
