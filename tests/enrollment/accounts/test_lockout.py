"""Brute-force protection: lockout on user name + client address, an overall limit per user
name, the second-factor step, no account enumeration, proxies, and the unlock page."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from enrollment.accounts.client_ip import client_ip
from tests.factories import InsuredPersonFactory, StaffMembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Sicheres-Passwort-2026"  # tests.factories.UserFactory
LOCK_TITLE = "Anmeldung vorübergehend gesperrt"


def login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    responses = [login(client, username, "falsch-falsch-falsch", **extra) for _ in range(times)]
    return responses[-1]


@pytest.fixture
def clerk(aoks):
    return StaffMembershipFactory(fund=aoks["aok-bw"], user__username="sb.bw").user


@pytest.fixture
def insured_user(aoks):
    return InsuredPersonFactory(user__username="vera@example.org").user


def _normalized(html: str) -> str:
    html = re.sub(r"[A-Za-z0-9]{64}", "CSRF", html)  # CSRF tokens and CSP nonces differ per response
    return re.sub(r'nonce="[^"]+"', "nonce", html)


def test_wrong_passwords_lock_the_name_from_that_address(client, insured_user, settings):
    limit = settings.AXES_FAILURE_LIMIT
    before = fail(client, "vera@example.org", limit - 1)
    assert before.status_code == 200 and "<title>Fehler: " in before.content.decode()

    locked = fail(client, "vera@example.org", 1)
    assert locked.status_code == 429
    content = locked.content.decode()
    assert LOCK_TITLE in content and "Zu viele fehlgeschlagene Anmeldeversuche" in content
    assert "15 Minuten" in content

    right = login(client, "vera@example.org", PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in client.session  # refused while locked


def test_lock_is_case_insensitive_on_the_name(client, insured_user, settings):
    fail(client, "Vera@Example.org", settings.AXES_FAILURE_LIMIT - 1)
    assert fail(client, " VERA@example.org", 1).status_code == 429


def test_other_name_and_other_address_are_not_locked(client, insured_user, clerk, settings):
    fail(client, "vera@example.org", settings.AXES_FAILURE_LIMIT)
    assert login(client, "sb.bw", PASSWORD).status_code == 302  # other name, same address
    client.logout()
    other_address = login(client, "vera@example.org", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert other_address.status_code == 302 and "_auth_user_id" in client.session


def test_overall_limit_per_name_across_addresses(client, insured_user, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_USERNAME_FAILURE_LIMIT = 8
    fail(client, "vera@example.org", 4, REMOTE_ADDR="198.51.100.1")
    assert fail(client, "vera@example.org", 3, REMOTE_ADDR="198.51.100.2").status_code == 200
    locked = fail(client, "vera@example.org", 1, REMOTE_ADDR="198.51.100.3")  # 8th failure in total
    assert locked.status_code == 429
    fresh_address = login(client, "vera@example.org", PASSWORD, REMOTE_ADDR="198.51.100.99")
    assert fresh_address.status_code == 429 and "_auth_user_id" not in client.session


def test_unknown_name_gets_the_same_answers(client, insured_user, settings):
    """No account enumeration: wrong password and lockout look the same for unknown names."""
    known = fail(client, "vera@example.org", 1, REMOTE_ADDR="198.51.100.1")
    unknown = fail(client, "niemand@example.org", 1, REMOTE_ADDR="198.51.100.2")
    assert known.status_code == unknown.status_code == 200
    assert _normalized(known.content.decode()).replace("vera@example.org", "X") == _normalized(
        unknown.content.decode()
    ).replace("niemand@example.org", "X")

    known = fail(client, "vera@example.org", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="198.51.100.1")
    unknown = fail(client, "niemand@example.org", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="198.51.100.2")
    assert known.status_code == unknown.status_code == 429
    assert _normalized(known.content.decode()) == _normalized(unknown.content.decode())


def test_no_user_name_or_password_in_the_attempt_record(client, insured_user):
    fail(client, "vera@example.org", 1)
    attempt = AccessAttempt.objects.get()
    assert "falsch-falsch-falsch" not in attempt.post_data
    assert "vera@example.org" not in attempt.post_data  # the name is only in its own column


# --------------------------------------------------------------------------- second factor step


def test_wrong_codes_lock_the_second_factor_step(client, clerk, settings):
    device = TOTPDevice.objects.create(user=clerk, name="App", confirmed=True)
    assert login(client, "sb.bw", PASSWORD).url == reverse("accounts:login_token")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = client.post(reverse("accounts:login_token"), {"token": "abcde-fghjk"})
        assert wrong.status_code == 200 and "<title>Fehler: " in wrong.content.decode()
    locked = client.post(reverse("accounts:login_token"), {"token": "abcde-fghjk"})
    assert locked.status_code == 429 and LOCK_TITLE in locked.content.decode()

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    right = client.post(reverse("accounts:login_token"), {"token": f"{totp(device.bin_key):06d}"})
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    assert login(client, "sb.bw", PASSWORD).status_code == 429  # the password step too


# --------------------------------------------------------------------------- client address


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_client_ip_ignores_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("198.51.100.1", "203.0.113.9")) == "198.51.100.1"


def test_client_ip_reads_forwarded_for_only_from_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    assert client_ip(_request("10.1.2.3", "203.0.113.9")) == "203.0.113.9"
    # a client-supplied address left of the real one is ignored
    assert client_ip(_request("10.1.2.3", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    # chains of trusted proxies are skipped from the right
    assert client_ip(_request("127.0.0.1", "203.0.113.9, 10.9.9.9")) == "203.0.113.9"
    # a direct client cannot choose its address
    assert client_ip(_request("198.51.100.1", "203.0.113.9")) == "198.51.100.1"
    assert client_ip(_request("10.1.2.3", "kaputt")) == "10.1.2.3"
    assert client_ip(_request("10.1.2.3", "[2001:db8::7]:443")) == "2001:db8::7"


def test_lockout_follows_the_forwarded_client_behind_a_trusted_proxy(client, insured_user, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail(client, "vera@example.org", settings.AXES_FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    other_client = login(client, "vera@example.org", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy)
    assert other_client.status_code == 302


def test_forged_forwarded_for_does_not_escape_the_lock(client, insured_user, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        last = login(
            client, "vera@example.org", "falsch", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        )
    assert last.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}


# --------------------------------------------------------------------------- unlock


@pytest.fixture
def fund_admin(aoks):
    user = StaffMembershipFactory(fund=aoks["aok-bw"], user__username="admin.bw").user
    user.user_permissions.add(Permission.objects.get(codename="unlock_login", content_type__app_label="enrollment"))
    return user


def test_fund_administrator_unlocks_own_funds_accounts_only(client, clerk, aoks, fund_admin, settings):
    plus_clerk = StaffMembershipFactory(fund=aoks["aok-plus"], user__username="sb.plus").user
    for name in ("sb.bw", "sb.plus", "gibt-es-nicht"):
        fail(client, name, settings.AXES_FAILURE_LIMIT)
    assert login(client, "sb.bw", PASSWORD).status_code == 429

    client.force_login(fund_admin)
    url = reverse("admin:enrollment_loginlockout_changelist")
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "sb.bw" in content and "sb.plus" not in content and "gibt-es-nicht" not in content
    assert "Anmeldesperren" in content

    bw_row = AccessAttempt.objects.get(username="sb.bw")
    plus_row = AccessAttempt.objects.get(username="sb.plus")
    done = client.post(url, {"action": "unlock_logins", "_selected_action": [bw_row.pk, plus_row.pk]})
    assert done.status_code == 302
    assert not AccessAttempt.objects.filter(username="sb.bw").exists()
    assert AccessAttempt.objects.filter(username="sb.plus").exists()  # another fund's: untouched
    client.logout()

    assert login(client, "sb.bw", PASSWORD).status_code == 302
    assert plus_clerk.is_active and login(client, "sb.plus", PASSWORD).status_code == 429


def test_unlock_page_needs_the_permission(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("admin:enrollment_loginlockout_changelist")).status_code == 403


def test_operator_sees_every_lock(client, settings, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    fail(client, "gibt-es-nicht", settings.AXES_FAILURE_LIMIT)
    client.force_login(root)
    assert "gibt-es-nicht" in client.get(reverse("admin:enrollment_loginlockout_changelist")).content.decode()


def test_unlock_page_shows_lock_state_with_constant_queries(
    client, fund_admin, aoks, settings, django_assert_max_num_queries
):
    for n in range(12):
        user = StaffMembershipFactory(fund=aoks["aok-bw"], user__username=f"sb.{n}").user
        fail(client, user.username, settings.AXES_FAILURE_LIMIT if n % 2 else 1)
    client.force_login(fund_admin)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:enrollment_loginlockout_changelist"))
    content = page.content.decode()
    assert content.count('alt="True"') == 6 and content.count('alt="False"') == 6
