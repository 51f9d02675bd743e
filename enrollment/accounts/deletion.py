"""Deleting an insured person's account (issue 9 §3).

What the law requires to keep is kept: the insured record (the fund's master data), the
participations with their texts, events and issued documents (the fund must keep them for the
retention period, docs/data-protection.md). What belongs to the account goes: the sign-in
(user name, e-mail address and password are replaced by a placeholder, the account is
deactivated), its second factors, its e-mail confirmation and every session; the link between
the account and the insured person is removed and recorded as an event.

The account row itself stays, anonymised: the participation events name the account that
acted (the fund's evidence of who declared), and those events cannot be changed.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from enrollment.accounts import sessions
from enrollment.models import EmailConfirmation, InsuredPerson, PersonLinkEvent

User = get_user_model()


class AccountDeletionRefused(Exception):
    """Staff accounts are managed by the fund administrators, not deleted by their holders."""


def account_delete(*, user, now: datetime) -> None:
    """Anonymise and deactivate `user`'s account and unlink it from its insured person.
    Idempotent: a second call finds nothing left to remove."""
    if user.is_staff or user.is_superuser:
        raise AccountDeletionRefused
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        for person in InsuredPerson.objects.select_for_update().filter(user=locked):
            person.user = None
            person.save(update_fields=["user"])
            PersonLinkEvent.objects.create(
                kind=PersonLinkEvent.Kind.ACCOUNT_UNLINKED,
                at=now,
                actor=locked,
                person=person,
                user=locked,
                reason="Konto auf Wunsch gelöscht",
            )
        TOTPDevice.objects.filter(user=locked).delete()
        StaticDevice.objects.filter(user=locked).delete()
        WebAuthnCredential.objects.filter(user=locked).delete()
        EmailConfirmation.objects.filter(user=locked).delete()
        locked.username = f"geloescht-{locked.pk}"
        locked.email = ""
        locked.first_name = ""
        locked.last_name = ""
        locked.is_active = False
        locked.set_unusable_password()
        locked.save()
    sessions.sign_out_everywhere(locked)
