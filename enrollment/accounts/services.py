"""State changes of insured accounts: activation codes, registration, email confirmation, TOTP.

Invariants:
- An activation code exists in plaintext only in the return value of `activation_code_issue`,
  which `enrollment.accounts.letters` prints into the letter and forgets; the database holds an
  HMAC-SHA256 of it keyed with SECRET_KEY. It is never logged.
- At most one code per person is open: issuing a new one marks older open ones superseded
  (kept on record); staff can revoke an open code. Only an open, unexpired code redeems.
- A code links exactly one account to exactly one insured record, once (`used_at`); the code
  row is locked while it is redeemed, so parallel or repeated submits create one user.
- A failed registration never says which of KVNR, date of birth or code was wrong, and failures
  are counted per KVNR (after `REGISTRATION_MAX_FAILURES` within `REGISTRATION_WINDOW` that
  KVNR is refused without checking) and per client address with a far higher limit
  (`REGISTRATION_MAX_FAILURES_PER_CLIENT`: many people share an address behind a proxy or a
  carrier NAT, and one person's wrong codes must not block another person's right one), in
  the shared cache (Redis in production).
- Emails carry no health data: only a link and the fact that an account exists.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from enrollment.models import ActivationCode, EmailConfirmation, InsuredPerson, PersonLinkEvent

logger = logging.getLogger(__name__)
User = get_user_model()

# No 0/O, 1/I/L, U/V look-alikes: the code is typed from a paper letter.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
CODE_LENGTH = 12
CODE_GROUP = 4
CODE_VALIDITY = timedelta(days=90)

REGISTRATION_MAX_FAILURES = 5
REGISTRATION_MAX_FAILURES_PER_CLIENT = 50
REGISTRATION_WINDOW = timedelta(minutes=15)

EMAIL_TOKEN_SALT = "enrollment.accounts.email-confirmation"  # noqa: S105 — a salt, not a secret
EMAIL_TOKEN_MAX_AGE = timedelta(days=3)
EMAIL_RESEND_INTERVAL = timedelta(minutes=1)


# --------------------------------------------------------------------------- errors


class AccountError(Exception):
    """A domain error with a message that may be shown to the user."""

    def __init__(self, message: str | None = None):
        super().__init__(message or self.default_message())

    def default_message(self) -> str:
        return _("Die Aktion ist nicht möglich.")


class RegistrationFailed(AccountError):
    """KVNR, date of birth or code do not fit together — deliberately not saying which."""

    def default_message(self) -> str:
        return _(
            "Die Angaben passen nicht zusammen. Bitte prüfen Sie Versichertennummer, "
            "Geburtsdatum und Aktivierungscode aus dem Brief Ihrer Krankenkasse."
        )


class RegistrationThrottled(AccountError):
    def default_message(self) -> str:
        return _(
            "Zu viele Versuche. Bitte warten Sie 15 Minuten und versuchen Sie es dann erneut "
            "oder wenden Sie sich an Ihre Krankenkasse."
        )


class CodeNotRevocable(AccountError):
    def default_message(self) -> str:
        return _("Dieser Aktivierungscode ist nicht mehr gültig und kann nicht widerrufen werden.")


class EmailAlreadyUsed(AccountError):
    def default_message(self) -> str:
        return _("Für diese E-Mail-Adresse besteht bereits ein Konto. Bitte melden Sie sich an.")


class PersonAlreadyRegistered(AccountError):
    def default_message(self) -> str:
        return _("Für diese Person besteht bereits ein Konto.")


class EmailTokenInvalid(AccountError):
    def default_message(self) -> str:
        return _("Der Bestätigungslink ist ungültig. Bitte fordern Sie einen neuen Link an.")


class EmailTokenExpired(EmailTokenInvalid):
    def default_message(self) -> str:
        return _("Der Bestätigungslink ist abgelaufen. Bitte fordern Sie einen neuen Link an.")


class EmailResendTooSoon(AccountError):
    def default_message(self) -> str:
        return _("Wir haben Ihnen gerade erst eine E-Mail gesendet. Bitte warten Sie eine Minute.")


class TotpTokenInvalid(AccountError):
    def default_message(self) -> str:
        return _("Der Sicherheitscode ist nicht gültig. Bitte geben Sie den aktuellen Code aus Ihrer App ein.")


# --------------------------------------------------------------------------- activation codes


def activation_code_normalize(code: str) -> str:
    """Upper-case, without spaces and dashes (people type the groups in many ways)."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def activation_code_hash(code: str) -> str:
    return salted_hmac("enrollment.activation-code", activation_code_normalize(code), algorithm="sha256").hexdigest()


def activation_code_format(code: str) -> str:
    """`ABCDEFGHJKMN` → `ABCD-EFGH-JKMN` for the letter."""
    plain = activation_code_normalize(code)
    return "-".join(plain[i : i + CODE_GROUP] for i in range(0, len(plain), CODE_GROUP))


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def activation_code_issue(*, person: InsuredPerson, issued_by, now: datetime) -> tuple[str, ActivationCode]:
    """Create a code for `person`, valid for 90 days; older open codes of the person are marked
    superseded (the newest letter counts, the old rows stay on record). Returns the formatted
    plaintext — for the letter only, never stored or logged. Letters are issued through
    `enrollment.accounts.letters`, which calls this inside its transaction."""
    with transaction.atomic():
        if InsuredPerson.objects.select_for_update().get(pk=person.pk).user_id is not None:
            raise PersonAlreadyRegistered()
        ActivationCode.objects.filter(
            person=person, used_at__isnull=True, superseded_at__isnull=True, revoked_at__isnull=True
        ).update(superseded_at=now)
        for _attempt in range(5):
            plain = _new_code()
            try:
                with transaction.atomic():
                    code = ActivationCode.objects.create(
                        person=person,
                        code_hash=activation_code_hash(plain),
                        created_by=issued_by if getattr(issued_by, "pk", None) else None,
                        created_at=now,
                        expires_at=now + CODE_VALIDITY,
                    )
            except IntegrityError:  # a hash collision: astronomically rare, try another code
                continue
            logger.info("activation code issued for person %s by %s", person.pk, getattr(issued_by, "pk", None))
            return activation_code_format(plain), code
    raise RuntimeError("could not generate a unique activation code")


def activation_code_revoke(*, code: ActivationCode, by, now: datetime) -> ActivationCode:
    """Staff revoke an open code (e.g. a letter went astray); the row stays as revoked."""
    with transaction.atomic():
        code = ActivationCode.objects.select_for_update().get(pk=code.pk)
        if not code.can_revoke(now=now) or now < code.created_at:
            raise CodeNotRevocable()
        code.revoked_at = now
        code.revoked_by = by if getattr(by, "pk", None) else None
        code.save(update_fields=["revoked_at", "revoked_by"])
    logger.info("activation code %s revoked by %s", code.pk, getattr(by, "pk", None))
    return code


# --------------------------------------------------------------------------- registration throttle


def _throttle_keys(kvnr: str, client_ip: str | None) -> dict[str, int]:
    """Cache key → its limit: one per KVNR, one per client address."""
    keys = {"acct-reg:kvnr:" + hashlib.sha256(kvnr.upper().encode()).hexdigest()[:32]: REGISTRATION_MAX_FAILURES}
    if client_ip:
        keys["acct-reg:ip:" + hashlib.sha256(client_ip.encode()).hexdigest()[:32]] = (
            REGISTRATION_MAX_FAILURES_PER_CLIENT
        )
    return keys


def registration_is_throttled(*, kvnr: str, client_ip: str | None) -> bool:
    limits = _throttle_keys(kvnr, client_ip)
    counts = cache.get_many(list(limits))
    return any(n >= limits[key] for key, n in counts.items())


def _registration_failed(*, kvnr: str, client_ip: str | None) -> None:
    timeout = int(REGISTRATION_WINDOW.total_seconds())
    for key in _throttle_keys(kvnr, client_ip):
        if not cache.add(key, 1, timeout):  # the window starts with the first failure
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout)


def registration_throttle_reset(*, kvnr: str, client_ip: str | None) -> None:
    """After a success: the KVNR's count starts again (the client's stays: it counts everyone's
    failures from that address)."""
    cache.delete_many([key for key in _throttle_keys(kvnr, client_ip) if key.startswith("acct-reg:kvnr:")])


# --------------------------------------------------------------------------- password reset limit

PASSWORD_RESET_PER_ADDRESS = 3
PASSWORD_RESET_PER_CLIENT = 20
PASSWORD_RESET_WINDOW = timedelta(hours=1)


def password_reset_allowed(*, email: str, client_ip: str | None) -> bool:
    """Counts a reset request per e-mail address and per client address (shared cache) and
    says whether a mail may go out: at most 3 per address and 20 per client within an hour.
    The page answers the same either way (no hint whether an account exists)."""
    timeout = int(PASSWORD_RESET_WINDOW.total_seconds())
    limits = {
        "pw-reset:mail:" + hashlib.sha256(_normalize_email(email).encode()).hexdigest()[:32]: PASSWORD_RESET_PER_ADDRESS
    }
    if client_ip:
        limits["pw-reset:ip:" + hashlib.sha256(client_ip.encode()).hexdigest()[:32]] = PASSWORD_RESET_PER_CLIENT
    allowed = True
    for key, limit in limits.items():
        if cache.add(key, 1, timeout):
            continue
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout)
            continue
        allowed = allowed and count <= limit
    return allowed


# --------------------------------------------------------------------------- registration


@dataclass(frozen=True)
class Registration:
    user: object
    person: InsuredPerson
    created: bool  # False: a repeated submit of an already completed registration


def _normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def account_register(
    *,
    kvnr: str,
    birth_date: date,
    code: str,
    email: str,
    password: str,
    now: datetime,
    client_ip: str | None = None,
    base_url: str = "",
) -> Registration:
    """Create the account for the insured person identified by KVNR + date of birth + code.

    Refuses with `RegistrationFailed` (generic) when the three do not fit, the code is used
    or expired, or the person already has an account. A repeated submit with the same email
    and password after success returns the existing account (`created=False`)."""
    kvnr = (kvnr or "").strip().upper()
    email = _normalize_email(email)
    if registration_is_throttled(kvnr=kvnr, client_ip=client_ip):
        raise RegistrationThrottled()
    code_hash = activation_code_hash(code)
    kwargs = {
        "kvnr": kvnr,
        "birth_date": birth_date,
        "code_hash": code_hash,
        "email": email,
        "password": password,
        "now": now,
    }
    try:
        try:
            with transaction.atomic():
                registration = _register_locked(**kwargs)
        except IntegrityError:
            # A parallel request won the race (SQLite has no row locks): replay it as a repeat.
            with transaction.atomic():
                registration = _register_locked(**kwargs)
    except RegistrationFailed:
        _registration_failed(kvnr=kvnr, client_ip=client_ip)
        raise
    if registration.created:
        registration_throttle_reset(kvnr=kvnr, client_ip=client_ip)
        email_confirmation_send(user=registration.user, now=now, base_url=base_url)
    return registration


def _register_locked(
    *, kvnr: str, birth_date: date, code_hash: str, email: str, password: str, now: datetime
) -> Registration:
    code = ActivationCode.objects.select_for_update().select_related("person").filter(code_hash=code_hash).first()
    if code is None:
        raise RegistrationFailed()
    person = code.person
    if not (constant_time_compare(person.kvnr, kvnr) and person.birth_date == birth_date):
        raise RegistrationFailed()
    if code.used_at is not None:
        # Idempotent repeat: the same person submitted the same form again.
        existing = person.user
        if existing is not None and existing.username == email and existing.check_password(password):
            return Registration(user=existing, person=person, created=False)
        raise RegistrationFailed()
    if not code.is_redeemable(now=now) or person.user_id is not None:
        # A code is valid from its issue to its expiry unless superseded or revoked; `now`
        # before the issue (a skewed clock or a replayed request) fails like any other invalid
        # code instead of breaking the database constraint `activation_used_after_created`.
        raise RegistrationFailed()
    if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
        # One address, one account (also backed by a unique index on lower(email)): two
        # accounts on one address would both receive that mailbox's password-reset links.
        raise EmailAlreadyUsed()
    validate_password(
        password, user=User(username=email, email=email, first_name=person.first_name, last_name=person.last_name)
    )

    user = User(username=email, email=email, first_name=person.first_name, last_name=person.last_name)
    user.set_password(password)
    user.save()
    person.user = user
    person.save(update_fields=["user"])
    code.used_at = now
    code.save(update_fields=["used_at"])
    PersonLinkEvent.objects.create(
        kind=PersonLinkEvent.Kind.ACCOUNT_LINKED,
        at=now,
        actor=user,
        person=person,
        user=user,
        reason="Aktivierungscode",
    )
    EmailConfirmation.objects.create(user=user, email=email)
    logger.info("account registered for person %s", person.pk)
    return Registration(user=user, person=person, created=True)


# --------------------------------------------------------------------------- email confirmation


class _ClockSigner(signing.TimestampSigner):
    """TimestampSigner whose clock is the service's `now` (testable without freezing time)."""

    def __init__(self, *, now: datetime, **kwargs):
        self._now = now
        super().__init__(**kwargs)

    def timestamp(self):
        return signing.b62_encode(int(self._now.timestamp()))

    def unsign(self, value, max_age=None):
        result = signing.Signer.unsign(self, value)
        value, ts = result.rsplit(self.sep, 1)
        if max_age is not None:
            if isinstance(max_age, timedelta):
                max_age = max_age.total_seconds()
            age = self._now.timestamp() - signing.b62_decode(ts)
            if age > max_age:
                raise signing.SignatureExpired(f"Signature age {age} > {max_age} seconds")
        return value


def email_token_make(*, user, email: str, now: datetime) -> str:
    return _ClockSigner(now=now, salt=EMAIL_TOKEN_SALT).sign_object({"u": user.pk, "e": _normalize_email(email)})


def email_confirmation_for(user) -> EmailConfirmation:
    """The confirmation row of `user`, created (unconfirmed) for accounts made before this feature."""
    row, _created = EmailConfirmation.objects.get_or_create(user=user, defaults={"email": _normalize_email(user.email)})
    return row


def email_confirmation_send(*, user, now: datetime, base_url: str = "", force: bool = True) -> EmailConfirmation:
    """Send (after commit) a mail with a signed link valid for 3 days. With `force=False`
    a resend within a minute of the last one is refused (EmailResendTooSoon). `base_url`
    (scheme and host, from the request) makes the link absolute; settings.SITE_URL wins."""
    from django.urls import reverse

    with transaction.atomic():
        row = email_confirmation_for(user)
        row = EmailConfirmation.objects.select_for_update().get(pk=row.pk)
        if row.is_confirmed and row.email == _normalize_email(user.email):
            return row
        if not force and row.sent_at is not None and now - row.sent_at < EMAIL_RESEND_INTERVAL:
            raise EmailResendTooSoon()
        row.email = _normalize_email(user.email)
        row.confirmed_at = None
        row.sent_at = now
        row.save(update_fields=["email", "confirmed_at", "sent_at"])
        token = email_token_make(user=user, email=row.email, now=now)
        path = reverse("accounts:email_confirm", kwargs={"token": token})
        root = (getattr(settings, "SITE_URL", "") or base_url or "").rstrip("/")
        context = {"url": root + path, "valid_days": EMAIL_TOKEN_MAX_AGE.days}
        subject = _("Bitte bestätigen Sie Ihre E-Mail-Adresse")
        body = render_to_string("accounts/email/confirm_email.txt", context)
        recipient = row.email
        transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))
    return row


def email_confirm(*, token: str, now: datetime) -> EmailConfirmation:
    """Mark the address in the token as confirmed (idempotent). The token must be authentic,
    at most 3 days old and name the account's current address."""
    try:
        data = _ClockSigner(now=now, salt=EMAIL_TOKEN_SALT).unsign_object(token, max_age=EMAIL_TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise EmailTokenExpired() from None
    except (signing.BadSignature, ValueError, TypeError):
        raise EmailTokenInvalid() from None
    if not isinstance(data, dict):
        raise EmailTokenInvalid()
    with transaction.atomic():
        row = EmailConfirmation.objects.select_for_update().select_related("user").filter(user_id=data.get("u")).first()
        if row is None or row.email != data.get("e") or _normalize_email(row.user.email) != row.email:
            raise EmailTokenInvalid()
        if row.confirmed_at is None:
            row.confirmed_at = now
            row.save(update_fields=["confirmed_at"])
    return row


# --------------------------------------------------------------------------- TOTP second factor


def totp_device_for(user, *, confirmed: bool | None = True) -> TOTPDevice | None:
    qs = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        qs = qs.filter(confirmed=confirmed)
    return qs.order_by("-pk").first()


def totp_device_start(*, user) -> TOTPDevice:
    """An unconfirmed device with a fresh secret for the setup page (reused while unconfirmed)."""
    device = totp_device_for(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator-App"), confirmed=False)
    return device


def totp_device_confirm(*, user, device_id: int, token: str) -> TOTPDevice:
    """Confirm the setup with a current token; the device then guards every login."""
    token = (token or "").strip().replace(" ", "")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, pk=device_id, confirmed=False).first()
        ok = device is not None and token.isdigit() and device.verify_token(token)
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    if not ok:  # raised outside the transaction so django-otp's throttle counter is kept
        raise TotpTokenInvalid()
    return device


def totp_verify(*, user, token: str) -> TOTPDevice:
    """The confirmed device that accepts `token` (throttled by django-otp), else TotpTokenInvalid."""
    token = (token or "").strip().replace(" ", "")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
        ok = device is not None and token.isdigit() and device.verify_token(token)
    if not ok:  # outside the transaction: the failed attempt stays counted
        raise TotpTokenInvalid()
    return device


def totp_device_remove(*, user, token: str) -> None:
    """Switch the second factor off; a current token proves the app is still at hand."""
    totp_verify(user=user, token=token)
    TOTPDevice.objects.filter(user=user).delete()
