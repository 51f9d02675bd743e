"""Deleting an account (issue 9 §3): a confirmation step with the password; the sign-in goes,
what the law requires to keep (participations, events, documents) stays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from enrollment.models import EmailConfirmation, Participation, PersonLinkEvent
from tests.factories import InsuredPersonFactory, UserFactory
from tests.fixtures.enrollment import declare

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Kiefernzapfen-am-Deich-7"
URL = "accounts:account_delete"


@pytest.fixture
def person(aoks):
    person = InsuredPersonFactory()
    person.user.set_password(PASSWORD)
    person.user.save()
    EmailConfirmation.objects.create(user=person.user, email=person.user.email)
    return person


def test_the_page_names_the_consequences_and_needs_password_and_confirmation(client, person):
    client.force_login(person.user)
    page = client.get(reverse(URL)).content.decode()
    assert "Ihre Teilnahmen laufen weiter" in page and "Sie können sich nicht mehr anmelden" in page
    for data in ({}, {"password": PASSWORD}, {"password": "falsch-falsch-1", "confirm": "on"}):
        response = client.post(reverse(URL), data)
        assert response.status_code == 200
    person.user.refresh_from_db()
    assert person.user.is_active and person.user.check_password(PASSWORD)


def test_deleting_removes_the_sign_in_and_keeps_the_participations(client, person, bv):
    participation = declare(bv, person, now=dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC), notify=False)
    other_device = Client()
    other_device.force_login(person.user)
    client.force_login(person.user)
    old_username, old_email = person.user.username, person.user.email
    response = client.post(reverse(URL), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("home")

    user = User.objects.get(pk=person.user.pk)
    assert not user.is_active and not user.has_usable_password()
    assert user.username == f"geloescht-{user.pk}" and user.email == "" and user.first_name == ""
    assert not User.objects.filter(username=old_username).exists()
    assert not User.objects.filter(email=old_email).exists()
    assert not EmailConfirmation.objects.filter(user=user).exists()
    person.refresh_from_db()
    assert person.user_id is None  # the insured record stays, without its account
    assert Participation.objects.filter(pk=participation.pk).exists()  # kept as the law requires
    assert participation.events.exists()
    assert PersonLinkEvent.objects.filter(person=person, kind=PersonLinkEvent.Kind.ACCOUNT_UNLINKED).exists()
    assert other_device.get(reverse("accounts:account")).status_code == 302  # every session ended
    assert not Client().login(username=old_username, password=PASSWORD)


def test_staff_accounts_are_not_deleted_by_their_holders(client, aoks):
    staff = UserFactory(is_staff=True, password=PASSWORD)
    client.force_login(staff)
    assert "Konto löschen" not in client.get(reverse("accounts:account")).content.decode()
    response = client.post(reverse(URL), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 200 and "Administration Ihrer Krankenkasse" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active
