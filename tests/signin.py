"""Signing staff in for tests: the admin needs a session verified with a second factor.

`StaffClient.force_login(user)` gives a staff account or superuser a confirmed TOTP device (if
it has no second factor yet) and marks the session as verified with it, as the real login
(password, then code) does. Insured accounts are signed in unchanged. `tests/conftest.py` makes
it the `client` fixture, so admin tests written as `client.force_login(staff)` keep working;
tests of the unverified path use `plain_client` (Django's own test client).
"""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def verified_device_for(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test-App", confirmed=True)


def mark_session_verified(client: Client, device) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


class StaffClient(Client):
    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if user.is_staff or user.is_superuser:
            mark_session_verified(self, verified_device_for(user))
