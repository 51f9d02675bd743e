"""Password rules and the password-reset limit (issue 9 §2)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.mark.parametrize(
    "password",
    [
        "passwort123",
        "Passwort1234",
        "Sommer2026!",
        "Schalke04!!",
        "sonnenschein",
        "ICHLIEBEDICH",
        "Fußball123",
        "Fussball123",
        "Krankenkasse1",
    ],
)
def test_common_german_passwords_are_refused(password):
    with pytest.raises(ValidationError) as error:
        validate_password(password, user=User(username="x@example.org"))
    assert any("zu verbreitet" in message for message in error.value.messages)


@pytest.mark.parametrize("password", ["Lotse-Demo-2026", "Kiefernzapfen-am-Deich-7", "sommerlich-gruene-Tapete"])
def test_uncommon_passwords_pass(password):
    validate_password(password, user=User(username="x@example.org"))


def test_password_reset_is_limited_per_address_without_saying_so(client, aoks, django_capture_on_commit_callbacks):
    User.objects.create_user("clara", email="clara@example.org", password="Kiefernzapfen-am-Deich-7")
    url = reverse("accounts:password_reset")
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            answers.append(client.post(url, {"email": "clara@example.org"}))
    assert len(mail.outbox) == 3  # three mails an hour for one address
    assert {a.status_code for a in answers} == {302} and len({a.url for a in answers}) == 1  # same answer


def test_password_reset_limit_per_client(client, aoks, settings, django_capture_on_commit_callbacks, monkeypatch):
    from enrollment.accounts import services

    monkeypatch.setattr(services, "PASSWORD_RESET_PER_CLIENT", 2)
    for i in range(3):
        User.objects.create_user(f"u{i}", email=f"u{i}@example.org", password="Kiefernzapfen-am-Deich-7")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            client.post(reverse("accounts:password_reset"), {"email": f"u{i}@example.org"})
    assert len(mail.outbox) == 2
