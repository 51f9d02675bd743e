from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from enrollment.accounts import services
from enrollment.models import ActivationCode
from tests.factories import InsuredPersonFactory, StaffMembershipFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:enrollment_insuredperson_changelist"


def _staff(fund):
    membership = StaffMembershipFactory(fund=fund)
    membership.user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="enrollment", codename__in=["view_insuredperson", "change_insuredperson"]
        )
    )
    return membership.user


def _run_action(client, ids):
    return client.post(
        reverse(CHANGELIST), {"action": "issue_activation_codes", "_selected_action": [str(i) for i in ids]}
    )


def test_admin_action_shows_codes_once(client, aoks):
    person = InsuredPersonFactory(user=None, fund=aoks["aok-bw"])
    client.force_login(_staff(aoks["aok-bw"]))
    response = _run_action(client, [person.pk])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    shown = content.split("<code>")[1].split("</code>")[0]
    row = ActivationCode.objects.get(person=person)
    assert row.code_hash == services.activation_code_hash(shown)
    assert row.created_by.membership.fund == aoks["aok-bw"]
    assert shown not in row.code_hash


def test_admin_action_scoped_to_staff_fund(client, aoks):
    bw_person = InsuredPersonFactory(user=None, fund=aoks["aok-bw"])
    plus_person = InsuredPersonFactory(user=None, fund=aoks["aok-plus"], land_id="SN", postal_code="01067")
    client.force_login(_staff(aoks["aok-plus"]))
    assert client.get(reverse("admin:enrollment_insuredperson_change", args=[bw_person.pk])).status_code in (302, 404)
    response = _run_action(client, [bw_person.pk, plus_person.pk])
    assert response.status_code == 200
    assert not ActivationCode.objects.filter(person=bw_person).exists()
    assert ActivationCode.objects.filter(person=plus_person).count() == 1
    assert bw_person.kvnr not in response.content.decode()


def test_admin_action_only_foreign_ids_creates_nothing(client, aoks):
    bw_person = InsuredPersonFactory(user=None, fund=aoks["aok-bw"])
    client.force_login(_staff(aoks["aok-plus"]))
    _run_action(client, [bw_person.pk])
    assert not ActivationCode.objects.exists()


def test_admin_action_skips_registered_persons(client, aoks):
    registered = InsuredPersonFactory(fund=aoks["aok-bw"])
    client.force_login(_staff(aoks["aok-bw"]))
    response = _run_action(client, [registered.pk])
    assert response.status_code == 302
    assert not ActivationCode.objects.exists()
