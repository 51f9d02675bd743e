"""Second factors: TOTP app, passkeys (WebAuthn) and one-time recovery codes.

Invariants:
- Staff accounts and superusers (`second_factor_required`) reach the admin only in a session
  verified with a second factor; without a TOTP app or passkey they are led to set one up.
- Recovery codes are a django-otp static device: ten random codes, shown once, each usable once
  (`verify_token` deletes the token it accepts), replaced as a whole when regenerated. Like the
  TOTP secret, django-otp keeps them readable in the database (server side only).
- Every check of a code goes through `second_factor_verify`, which the lockout counts.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
# No 0/o, 1/l/i: codes are read from paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_DEVICE_NAME = "Wiederherstellungscodes"


class SecondFactorInvalid(Exception):
    def __str__(self) -> str:
        return _("Der Code stimmt nicht oder ist abgelaufen. Bitte versuchen Sie es erneut.")


# --------------------------------------------------------------------------- predicates


def second_factor_required(user) -> bool:
    """Staff and superusers must have a second factor before any admin page."""
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def has_second_factor(user) -> bool:
    """A TOTP app or a passkey: recovery codes alone are a fallback, not a factor."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def has_any_device(user) -> bool:
    """Any confirmed device: the login then asks for the second step."""
    return user_has_device(user, confirmed=True)


def passkeys_for(user) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at"))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --------------------------------------------------------------------------- recovery codes


def recovery_code_normalize(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def recovery_code_format(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def recovery_codes_generate(*, user) -> list[str]:
    """Replace all recovery codes of `user` with fresh ones; the plaintext is returned once."""
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return [recovery_code_format(code) for code in codes]


# --------------------------------------------------------------------------- verification


def second_factor_verify(*, user, token: str):
    """The device that accepts `token`: the TOTP app for digits, else a recovery code (used up).

    Raises SecondFactorInvalid. Raised outside the transaction so django-otp's per-device
    throttle counter survives the failure.
    """
    raw = (token or "").strip().replace(" ", "")
    device = None
    if raw.isdigit() and 6 <= len(raw) <= 8:
        with transaction.atomic():
            candidate = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
            if candidate is not None and candidate.verify_token(raw):
                device = candidate
    else:
        code = recovery_code_normalize(raw)
        if len(code) == RECOVERY_CODE_LENGTH:
            with transaction.atomic():
                for candidate in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
                    if candidate.verify_token(code):  # deletes the token: each code works once
                        device = candidate
                        break
    if device is None:
        raise SecondFactorInvalid()
    return device


# --------------------------------------------------------------------------- passkeys


def webauthn_rp_id(request: HttpRequest) -> str:
    """The relying party id: the configured host name, else the request's (ALLOWED_HOSTS-checked)."""
    configured = getattr(settings, "WEBAUTHN_RP_ID", "")
    if configured:
        return configured
    return request.get_host().rsplit(":", 1)[0] if not request.get_host().startswith("[") else request.get_host()


class PortalWebAuthnHelper(WebAuthnHelper):
    """Origins from WEBAUTHN_ALLOWED_ORIGINS; without it the request's own origin."""

    def get_allowed_origins(self) -> list[str]:
        configured = list(getattr(settings, "WEBAUTHN_ALLOWED_ORIGINS", []) or [])
        if configured:
            return configured
        return [f"{self.request.scheme}://{self.request.get_host()}"]


def passkey_remove(*, user, passkey_id: int) -> None:
    """Delete one passkey; staff keep at least one second factor."""
    with transaction.atomic():
        passkey = WebAuthnCredential.objects.select_for_update().filter(user=user, pk=passkey_id).first()
        if passkey is None:
            return
        others = TOTPDevice.objects.filter(user=user, confirmed=True).exists() or (
            WebAuthnCredential.objects.filter(user=user, confirmed=True).exclude(pk=passkey.pk).exists()
        )
        if second_factor_required(user) and not others:
            raise LastFactorRequired()
        passkey.delete()


class LastFactorRequired(Exception):
    def __str__(self) -> str:
        return _(
            "Für die Verwaltung ist ein zweiter Faktor Pflicht: Richten Sie zuerst eine andere "
            "Authenticator-App oder einen weiteren Passkey ein."
        )
