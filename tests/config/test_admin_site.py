from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import StaffMembershipFactory

pytestmark = pytest.mark.django_db


def test_admin_login_redirects_to_portal_login(client):
    response = client.get("/verwaltung/login/?next=/verwaltung/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/?next=%2Fverwaltung%2F")


def test_admin_requires_second_factor_when_staff_has_device(plain_client, aoks):
    client = plain_client
    membership = StaffMembershipFactory(
        fund=aoks["aok-bw"], user__username="sb@aok.example", user__email="sb@aok.example"
    )
    user = membership.user
    device = TOTPDevice.objects.create(user=user, name="Handy", confirmed=True)

    client.force_login(user)  # a session without the second factor
    assert client.get("/verwaltung/").status_code == 302
    client.logout()

    response = client.post("/konto/anmelden/", {"username": "sb@aok.example", "password": "Sicheres-Passwort-2026"})
    assert response.status_code == 302 and "/konto/anmelden/code/" in response["Location"]
    assert client.get("/verwaltung/").status_code == 302  # password alone is not enough

    response = client.post("/konto/anmelden/code/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    assert client.get("/verwaltung/").status_code == 200


def test_admin_open_to_staff_with_verified_second_factor(client, aoks):
    membership = StaffMembershipFactory(fund=aoks["aok-bw"])
    client.force_login(membership.user)  # the shared StaffClient passes the second factor
    assert client.get("/verwaltung/").status_code == 200
