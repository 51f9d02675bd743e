from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import connection

from enrollment.accounts import services
from enrollment.models import ActivationCode, EmailConfirmation
from tests.factories import InsuredPersonFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
User = get_user_model()
PASSWORD = "Lotse-Test-Kennwort-2026"


def _register(person, code, **overrides):
    kwargs = {
        "kvnr": person.kvnr,
        "birth_date": person.birth_date,
        "code": code,
        "email": "Clara.Schmidt@Example.org",
        "password": PASSWORD,
        "now": NOW + dt.timedelta(days=1),
        "client_ip": "192.0.2.10",
    }
    kwargs.update(overrides)
    return services.account_register(**kwargs)


# --------------------------------------------------------------------------- codes


def test_activation_code_issue_stores_only_a_hash(clara):
    code, row = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert not set(code.replace("-", "")) & set("01OILUV")
    plain = code.replace("-", "")
    assert plain not in row.code_hash and code not in row.code_hash
    assert row.code_hash == services.activation_code_hash(code.lower().replace("-", " "))
    assert row.expires_at - row.created_at == dt.timedelta(days=90)


def test_activation_code_issue_supersedes_older_open_code(clara):
    old, old_row = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    new, _ = services.activation_code_issue(person=clara, issued_by=None, now=NOW + dt.timedelta(hours=1))
    assert ActivationCode.objects.filter(person=clara).count() == 2  # the old one stays on record
    old_row.refresh_from_db()
    assert old_row.superseded_at == NOW + dt.timedelta(hours=1)
    with pytest.raises(services.RegistrationFailed):
        _register(clara, old)
    assert _register(clara, new).created


def test_activation_code_issue_refused_for_registered_person(aoks):
    person = InsuredPersonFactory()  # has an account
    with pytest.raises(services.PersonAlreadyRegistered):
        services.activation_code_issue(person=person, issued_by=None, now=NOW)
    assert not ActivationCode.objects.exists()


# --------------------------------------------------------------------------- registration


def test_account_register_links_person_and_marks_code_used(clara):
    code, row = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    registration = _register(clara, code.lower())  # typed in lower case: still fine
    clara.refresh_from_db()
    row.refresh_from_db()
    user = registration.user
    assert registration.created
    assert user.username == user.email == "clara.schmidt@example.org"
    assert user.check_password(PASSWORD)
    assert clara.user == user
    assert row.used_at == NOW + dt.timedelta(days=1)
    assert EmailConfirmation.objects.get(user=user).confirmed_at is None


def test_account_register_sends_confirmation_mail_without_health_data(clara, django_capture_on_commit_callbacks):
    code, _ = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        _register(clara, code, base_url="https://lotse.example/")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["clara.schmidt@example.org"]
    assert "https://lotse.example/konto/email/bestaetigen/" in message.body
    for forbidden in (clara.kvnr, "1992", "Diabetes", "Programm"):
        assert forbidden not in message.body


@pytest.mark.parametrize(
    "override",
    [
        {"kvnr": "A123456780"},  # another valid KVNR
        {"birth_date": dt.date(1992, 11, 29)},
        {"code": "ABCD-EFGH-JKMN"},
    ],
    ids=["kvnr", "birth_date", "code"],
)
def test_account_register_wrong_data_generic_error_nothing_created(clara, override):
    code, row = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    users_before = User.objects.count()
    with pytest.raises(services.RegistrationFailed) as excinfo:
        _register(clara, **{"code": code, **override})
    assert str(excinfo.value) == str(services.RegistrationFailed())  # one message for all three
    assert User.objects.count() == users_before
    row.refresh_from_db()
    clara.refresh_from_db()
    assert row.used_at is None and clara.user is None


def test_account_register_expired_code_refused(clara):
    code, _ = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    with pytest.raises(services.RegistrationFailed):
        _register(clara, code, now=NOW + dt.timedelta(days=90))
    assert _register(clara, code, now=NOW + dt.timedelta(days=90) - dt.timedelta(seconds=1)).created


def test_account_register_used_code_refused_for_other_email(clara):
    code, _ = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    _register(clara, code)
    with pytest.raises(services.RegistrationFailed):
        _register(clara, code, email="someone.else@example.org")
    with pytest.raises(services.RegistrationFailed):
        _register(clara, code, password="Ein-anderes-Passwort-99")
    assert User.objects.filter(username__contains="@").count() == 1


def test_account_register_double_submit_creates_one_user(clara):
    code, _ = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    first = _register(clara, code)
    second = _register(clara, code)
    assert first.created and not second.created
    assert second.user.pk == first.user.pk
    assert User.objects.filter(username="clara.schmidt@example.org").count() == 1


def test_account_register_email_taken(clara):
    InsuredPersonFactory(user__username="clara.schmidt@example.org")
    code, row = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    with pytest.raises(services.EmailAlreadyUsed):
        _register(clara, code)
    row.refresh_from_db()
    assert row.used_at is None


def test_account_register_weak_password_refused(clara):
    code, row = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    with pytest.raises(ValidationError):
        _register(clara, code, password="1234567890")
    row.refresh_from_db()
    assert row.used_at is None and not User.objects.filter(username__contains="clara").exists()


def test_account_register_rate_limited_per_kvnr(clara):
    code, _ = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    for i in range(services.REGISTRATION_MAX_FAILURES):
        with pytest.raises(services.RegistrationFailed):
            _register(clara, "WRONG-CODE-XX", client_ip=f"198.51.100.{i}")
    with pytest.raises(services.RegistrationThrottled):
        _register(clara, code, client_ip="203.0.113.5")  # right code, new IP: KVNR is locked
    assert clara.__class__.objects.get(pk=clara.pk).user is None


def test_account_register_rate_limited_per_client_address(clara, aoks, monkeypatch):
    monkeypatch.setattr(services, "REGISTRATION_MAX_FAILURES_PER_CLIENT", 8)
    code, _ = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    for i in range(8):  # eight different KVNRs tried from one address
        with pytest.raises(services.RegistrationFailed):
            _register(clara, code, kvnr=f"A1234567{i:02d}")
    with pytest.raises(services.RegistrationThrottled):
        _register(clara, code)  # right data, same address: enumeration stopped


def test_one_persons_wrong_codes_do_not_block_another_persons_right_code(clara, aoks):
    """Many people share an address (a proxy, a carrier's NAT, a family): the limit per
    address is far higher than the one per KVNR."""
    other = InsuredPersonFactory(user=None)
    code, _ = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    for _ in range(services.REGISTRATION_MAX_FAILURES):
        with pytest.raises(services.RegistrationFailed):
            _register(other, "WRONG-CODE-XX", email="other@example.org")
    with pytest.raises(services.RegistrationThrottled):
        _register(other, "WRONG-CODE-XX", email="other@example.org")  # that KVNR is locked
    assert _register(clara, code).created  # same address, another person: not blocked


def test_account_register_below_limit_still_works(clara):
    code, _ = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    for _i in range(services.REGISTRATION_MAX_FAILURES - 1):
        with pytest.raises(services.RegistrationFailed):
            _register(clara, "WRONG")
    assert _register(clara, code).created


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_account_register_parallel_submits_create_one_user(clara):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    code, _ = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    results, errors = [], []
    barrier = threading.Barrier(4)

    def submit():
        try:
            barrier.wait()
            results.append(_register(clara, code))
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r.created for r in results) == 1
    assert len({r.user.pk for r in results}) == 1
    assert User.objects.filter(username="clara.schmidt@example.org").count() == 1


# --------------------------------------------------------------------------- email confirmation


@pytest.fixture
def registered(clara):
    code, _ = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    return _register(clara, code).user


def test_email_confirm_valid_token(registered):
    token = services.email_token_make(user=registered, email=registered.email, now=NOW)
    row = services.email_confirm(token=token, now=NOW + dt.timedelta(days=2))
    assert row.confirmed_at == NOW + dt.timedelta(days=2)
    again = services.email_confirm(token=token, now=NOW + dt.timedelta(days=2, hours=1))
    assert again.confirmed_at == NOW + dt.timedelta(days=2)  # idempotent


def test_email_confirm_expired_token(registered):
    token = services.email_token_make(user=registered, email=registered.email, now=NOW)
    with pytest.raises(services.EmailTokenExpired):
        services.email_confirm(token=token, now=NOW + services.EMAIL_TOKEN_MAX_AGE + dt.timedelta(seconds=1))
    assert EmailConfirmation.objects.get(user=registered).confirmed_at is None


def test_email_confirm_tampered_token(registered):
    token = services.email_token_make(user=registered, email=registered.email, now=NOW)
    other = InsuredPersonFactory().user
    payload, _sep, signature = token.partition(":")
    forged_payload = signing.b64_encode(f'{{"u":{other.pk},"e":"{other.email}"}}'.encode()).decode()
    wrong_salt = signing.TimestampSigner(salt="something-else").sign_object({"u": registered.pk, "e": registered.email})
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (flipped, f"{forged_payload}:{signature}", wrong_salt, "nonsense", ""):
        with pytest.raises(services.EmailTokenInvalid):
            services.email_confirm(token=bad, now=NOW)
    assert EmailConfirmation.objects.get(user=registered).confirmed_at is None


def test_email_confirm_token_for_old_address_invalid(registered):
    token = services.email_token_make(user=registered, email=registered.email, now=NOW)
    registered.email = "neu@example.org"
    registered.save()
    services.email_confirmation_send(user=registered, now=NOW)
    with pytest.raises(services.EmailTokenInvalid):
        services.email_confirm(token=token, now=NOW)


def test_email_confirmation_resend_throttled(registered):
    services.email_confirmation_send(user=registered, now=NOW)
    with pytest.raises(services.EmailResendTooSoon):
        services.email_confirmation_send(user=registered, now=NOW + dt.timedelta(seconds=30), force=False)
    services.email_confirmation_send(user=registered, now=NOW + dt.timedelta(seconds=61), force=False)


def test_register_with_code_before_its_issue_fails_cleanly(clara):
    code, _row = services.activation_code_issue(person=clara, issued_by=None, now=NOW)
    with pytest.raises(services.RegistrationFailed):
        _register(clara, code, now=NOW - dt.timedelta(minutes=1))
    assert not User.objects.filter(username__iexact="clara.schmidt@example.org").exists()
