"""Session lifetime (issue 9 §2): idle timeout with a warning, absolute timeout, sign out on
all devices. Sessions used to last 14 days."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from enrollment.accounts import sessions
from tests.factories import InsuredPersonFactory

pytestmark = pytest.mark.django_db

ACCOUNT = "accounts:account"


@pytest.fixture
def person(aoks):
    return InsuredPersonFactory()


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_session_expires_after_30_idle_minutes_not_14_days(person):
    assert settings.SESSION_IDLE_MINUTES == 30 and settings.SESSION_COOKIE_AGE == 30 * 60
    client = _signed_in(person.user)
    assert client.get(reverse(ACCOUNT)).status_code == 200
    assert client.session.get_expiry_age() == 30 * 60


def test_activity_moves_the_idle_expiry_at_most_once_a_minute(person):
    client = _signed_in(person.user)
    client.get(reverse(ACCOUNT))
    seen = client.session[sessions.SEEN]
    client.get(reverse(ACCOUNT))
    assert client.session[sessions.SEEN] == seen  # within the minute: no session write
    session = client.session
    session[sessions.SEEN] = seen - 120
    session.save()
    client.get(reverse(ACCOUNT))
    assert client.session[sessions.SEEN] >= seen


def test_the_session_ends_twelve_hours_after_sign_in_even_when_active(person):
    client = _signed_in(person.user)
    client.get(reverse(ACCOUNT))
    session = client.session
    session[sessions.STARTED] = int(time.time()) - 12 * 3600 - 5
    session.save()
    response = client.get(reverse(ACCOUNT))
    assert response.status_code == 302 and reverse("login") in response.url


def test_sign_out_on_all_devices_ends_the_other_sessions(person):
    laptop, phone = _signed_in(person.user), _signed_in(person.user)
    assert phone.get(reverse(ACCOUNT)).status_code == 200
    response = laptop.post(reverse("accounts:sign_out_everywhere"))
    assert response.status_code == 302
    assert laptop.get(reverse(ACCOUNT)).status_code == 302  # this device
    assert phone.get(reverse(ACCOUNT)).status_code == 302  # and the other one
    again = _signed_in(person.user)  # a new sign-in works as before
    assert again.get(reverse(ACCOUNT)).status_code == 200


def test_other_accounts_stay_signed_in(person, aoks):
    other = InsuredPersonFactory()
    theirs = _signed_in(other.user)
    _signed_in(person.user).post(reverse("accounts:sign_out_everywhere"))
    assert theirs.get(reverse(ACCOUNT)).status_code == 200


def test_extend_answers_the_remaining_time_or_that_the_session_ended(person, client):
    assert client.post(reverse("accounts:session_extend")).status_code == 401
    signed = _signed_in(person.user)
    response = signed.post(reverse("accounts:session_extend"))
    assert response.status_code == 200 and response.json() == {"remaining": 30 * 60}
    assert signed.get(reverse("accounts:session_extend")).status_code == 405


def test_signed_in_pages_say_when_the_session_ends_and_carry_the_warning(person, client):
    page = _signed_in(person.user).get(reverse(ACCOUNT)).content.decode()
    assert "nach 30 Minuten ohne Aktivität" in page  # also without JavaScript
    assert "<dialog" in page and "Angemeldet bleiben" in page
    assert "Auf allen Geräten abmelden" in page
    anonymous = client.get(reverse("programs:list")).content.decode()
    assert "data-session-idle" not in anonymous


def test_the_warning_gets_plain_numbers_not_localised_ones(person):
    """German number formatting turned 1800 seconds into "1.800", which the script read as 1.8
    seconds and sent every signed-in person to the sign-in page almost at once."""
    page = _signed_in(person.user).get(reverse(ACCOUNT)).content.decode()
    assert 'data-session-idle="1800"' in page and 'data-session-warn="120"' in page
