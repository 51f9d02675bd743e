"""The four escalations found by trying the admin as a clerk of AOK Baden-Württemberg
(issue 8, section 1) — each one a regression test. All of them failed before the tenancy
base (`programs.admin_scoping`) and the link/representation services existed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enrollment.lifecycle import Status
from enrollment.models import InsuredPerson, LegalRepresentation

pytestmark = pytest.mark.django_db

MANAGEMENT = {
    "representatives-TOTAL_FORMS": "0",
    "representatives-INITIAL_FORMS": "0",
    "representatives-MIN_NUM_FORMS": "0",
    "representatives-MAX_NUM_FORMS": "1000",
}


def person_post(client, fund, **extra):
    data = {
        "kvnr": "",
        "first_name": "Eva",
        "last_name": "Neu",
        "birth_date": "1990-01-01",
        "street": "Hauptstraße 1",
        "postal_code": "70173",
        "city": "Stuttgart",
        "land": "BW",
        "gemeinde": "",
        "fund": fund.pk,
        "user": "",
        **MANAGEMENT,
        **extra,
    }
    return client.post(reverse("admin:enrollment_insuredperson_add"), data)


def test_clerk_cannot_make_own_member_the_representative_of_another_funds_child(client, world):
    own, other = world
    client.force_login(own.clerk)
    client.post(
        reverse("admin:enrollment_legalrepresentation_add"),
        {"representative": own.adult.pk, "represented": other.child.pk, "kind": "parent"},
    )
    assert not LegalRepresentation.objects.filter(represented=other.child, representative=own.adult).exists()

    # and so the BW member cannot open, or revoke, the PLUS child's participation
    client.force_login(own.adult.user)
    assert client.get(reverse("enrollment:detail", args=[other.child_participation.pk])).status_code == 404
    assert client.get(reverse("enrollment:receipt", args=[other.child_participation.pk])).status_code == 404
    client.post(reverse("enrollment:revoke", args=[other.child_participation.pk]), {"confirm": "on"})
    other.child_participation.refresh_from_db()
    assert other.child_participation.status == Status.SUBMITTED


def test_clerk_cannot_link_own_account_and_represent_another_funds_member(client, world):
    own, other = world
    client.force_login(own.clerk)
    person_post(client, own.fund, kvnr="A987654320", user=own.clerk.pk)
    assert not InsuredPerson.objects.filter(user=own.clerk).exists()

    # not through the explicit link action either, not even for a person of the own fund
    client.post(
        reverse("admin:enrollment_insuredperson_link_account", args=[own.child.pk]),
        {"username": own.clerk.username},
    )
    assert not InsuredPerson.objects.filter(user=own.clerk).exists()

    created = InsuredPerson.objects.filter(kvnr="A987654320").first()
    if created is not None:
        client.post(
            reverse("admin:enrollment_legalrepresentation_add"),
            {"representative": created.pk, "represented": other.child.pk, "kind": "guardian"},
        )
    assert not LegalRepresentation.objects.filter(represented=other.child).exclude(representative=other.adult).exists()
    assert client.get(reverse("enrollment:detail", args=[other.child_participation.pk])).status_code == 404


def test_clerk_cannot_edit_master_data_of_a_provider_of_another_fund(client, world):
    own, other = world
    client.force_login(own.clerk)
    url = reverse("admin:providers_provider_change", args=[other.provider.pk])
    client.post(
        url,
        {
            "kind": other.provider.kind,
            "name": "Übernommen von BW",
            "postal_code": other.provider.postal_code,
            "city": other.provider.city,
            "latitude": "51.05",
            "longitude": "13.74",
            "participations-TOTAL_FORMS": "0",
            "participations-INITIAL_FORMS": "0",
        },
    )
    other.provider.refresh_from_db()
    assert other.provider.name == "Praxis nur AOK PLUS"
    # a clerk does not change shared master data at all, also not of a provider in the own contracts
    assert (
        client.get(reverse("admin:providers_provider_change", args=[own.provider.pk])).context["has_change_permission"]
        is False
    )


def test_duplicate_kvnr_of_another_fund_does_not_reveal_the_member(client, world):
    own, other = world
    client.force_login(own.clerk)
    response = person_post(client, own.fund, kvnr=other.adult.kvnr)
    page = response.content.decode()
    assert response.status_code == 200
    assert "existiert bereits" not in page and "already exists" not in page
    assert other.adult.last_name not in page
    assert "kann hier nicht erfasst werden" in page
    assert InsuredPerson.objects.filter(kvnr=other.adult.kvnr).count() == 1


def test_duplicate_kvnr_of_the_own_fund_is_named(client, world):
    """Within the own fund the clerk needs to find the existing record."""
    own, _other = world
    client.force_login(own.clerk)
    page = person_post(client, own.fund, kvnr=own.adult.kvnr).content.decode()
    assert "bereits" in page
