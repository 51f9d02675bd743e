"""Account links and legal representations: explicit decisions with their own permission, an
event row, and all persons in the clerk's fund."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from enrollment.models import InsuredPerson, LegalRepresentation, PersonLinkEvent
from enrollment.services.links import (
    LinkRefused,
    insured_account_link,
    insured_account_unlink,
    representation_change,
    representation_record,
    representation_remove,
)
from tests.factories import InsuredPersonFactory, StaffMembershipFactory, UserFactory
from tests.fixtures.tenancy import NOW

pytestmark = pytest.mark.django_db


def clerk_with(fund, *codenames):
    user = StaffMembershipFactory(fund=fund, user=UserFactory(is_staff=True)).user
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_link_account_needs_its_own_permission(world):
    own, _other = world
    account = UserFactory()
    clerk = clerk_with(own.fund, "change_insuredperson", "add_legalrepresentation")
    with pytest.raises(LinkRefused, match="Berechtigung"):
        insured_account_link(person=own.child, user=account, actor=clerk, now=NOW)
    with pytest.raises(LinkRefused, match="Berechtigung"):
        representation_record(representative=own.adult, represented=own.child, kind="parent", actor=clerk, now=NOW)


def test_link_account_writes_an_event_and_unlink_too(world):
    own, _other = world
    account = UserFactory()
    clerk = clerk_with(own.fund, "link_account")
    event = insured_account_link(person=own.child, user=account, actor=clerk, now=NOW, reason="Anruf")
    own.child.refresh_from_db()
    assert own.child.user == account
    assert (event.kind, event.actor, event.user, event.person) == ("account_linked", clerk, account, own.child)
    insured_account_unlink(person=own.child, actor=clerk, now=NOW, reason="falsches Konto")
    own.child.refresh_from_db()
    assert own.child.user is None
    assert list(own.child.link_events.values_list("kind", flat=True)) == ["account_linked", "account_unlinked"]


def test_link_account_refuses_own_staff_linked_and_foreign(world):
    own, other = world
    clerk = clerk_with(own.fund, "link_account")
    colleague = clerk_with(own.fund)
    with pytest.raises(LinkRefused, match="eigenes Konto"):
        insured_account_link(person=own.child, user=clerk, actor=clerk, now=NOW)
    with pytest.raises(LinkRefused, match="kann nicht verknüpft"):
        insured_account_link(person=own.child, user=colleague, actor=clerk, now=NOW)
    # an account already linked — to a person of another fund — gets the same neutral answer
    with pytest.raises(LinkRefused, match="kann nicht verknüpft"):
        insured_account_link(person=own.child, user=other.adult.user, actor=clerk, now=NOW)
    with pytest.raises(LinkRefused, match="nicht zu Ihrer Kasse"):
        insured_account_link(person=other.child, user=UserFactory(), actor=clerk, now=NOW)
    assert not PersonLinkEvent.objects.exists()


def test_representation_record_change_remove_with_events(world):
    own, _other = world
    clerk = clerk_with(own.fund, "record_representation")
    guardian = InsuredPersonFactory(fund=own.fund, last_name="Vormund")
    representation = representation_record(
        representative=guardian, represented=own.child, kind="guardian", actor=clerk, now=NOW
    )
    representation_change(
        representation=representation,
        kind="guardian",
        valid_from=None,
        valid_until=dt.date(2030, 1, 1),
        actor=clerk,
        now=NOW,
    )
    representation_remove(representation=representation, actor=clerk, now=NOW)
    assert not LegalRepresentation.objects.filter(representative=guardian).exists()
    events = list(PersonLinkEvent.objects.filter(representative=guardian).order_by("pk"))
    assert [e.kind for e in events] == ["representation_recorded", "representation_changed", "representation_removed"]
    assert events[1].data["after"]["valid_until"] == "2030-01-01"
    assert all(e.person == own.child and e.actor == clerk for e in events)


def test_representation_refuses_persons_of_another_fund_and_the_clerks_own_person(world):
    own, other = world
    clerk = clerk_with(own.fund, "record_representation", "link_account")
    with pytest.raises(LinkRefused, match="nicht zu Ihrer Kasse"):
        representation_record(representative=own.adult, represented=other.child, kind="parent", actor=clerk, now=NOW)
    with pytest.raises(LinkRefused, match="nicht zu Ihrer Kasse"):
        representation_record(representative=other.adult, represented=own.child, kind="parent", actor=clerk, now=NOW)
    mine = InsuredPersonFactory(fund=own.fund, user=clerk)  # e.g. created by the operator before this rule
    with pytest.raises(LinkRefused, match="eigenen Konto"):
        representation_record(representative=mine, represented=own.child, kind="guardian", actor=clerk, now=NOW)


def test_operator_may_record_a_representation_across_funds(world):
    own, other = world
    operator = UserFactory(is_staff=True, is_superuser=True)
    representation_record(representative=own.adult, represented=other.child, kind="guardian", actor=operator, now=NOW)
    assert PersonLinkEvent.objects.get().representative == own.adult


def test_admin_links_an_account_by_user_name_through_the_service(client, world):
    own, _other = world
    account = UserFactory(username="eva.neu")
    client.force_login(own.clerk)
    page = client.get(reverse("admin:enrollment_insuredperson_change", args=[own.child.pk])).content.decode()
    assert reverse("admin:enrollment_insuredperson_link_account", args=[own.child.pk]) in page
    assert 'name="user"' not in page  # no account field, no list of accounts
    response = client.post(
        reverse("admin:enrollment_insuredperson_link_account", args=[own.child.pk]),
        {"username": "unbekannt", "reason": "Anruf"},
    )
    assert "kann nicht verknüpft" in response.content.decode()
    response = client.post(
        reverse("admin:enrollment_insuredperson_link_account", args=[own.child.pk]),
        {"username": "eva.neu", "reason": "Anruf"},
    )
    assert response.status_code == 302
    assert InsuredPerson.objects.get(pk=own.child.pk).user == account
    assert PersonLinkEvent.objects.get().actor == own.clerk


def test_admin_representation_add_goes_through_the_service(client, world):
    own, _other = world
    guardian = InsuredPersonFactory(fund=own.fund)
    client.force_login(own.clerk)
    response = client.post(
        reverse("admin:enrollment_legalrepresentation_add"),
        {"representative": guardian.pk, "represented": own.child.pk, "kind": "guardian"},
    )
    assert response.status_code == 302
    assert PersonLinkEvent.objects.get().kind == "representation_recorded"


def test_admin_representation_needs_the_permission(client, world):
    own, _other = world
    clerk = clerk_with(own.fund, "add_legalrepresentation", "view_legalrepresentation", "change_legalrepresentation")
    client.force_login(clerk)
    assert client.get(reverse("admin:enrollment_legalrepresentation_add")).status_code == 403


def test_self_registration_with_an_activation_code_leaves_a_link_event(world):
    from enrollment.accounts.services import account_register, activation_code_issue

    own, _other = world
    code, _row = activation_code_issue(person=own.child, issued_by=own.clerk, now=NOW)
    account_register(
        kvnr=own.child.kvnr,
        birth_date=own.child.birth_date,
        code=code,
        email="kind@example.org",
        password="Lotse-Sicher-2026!",
        now=NOW,
    )
    event = PersonLinkEvent.objects.get(person=own.child)
    assert (event.kind, event.actor, event.user.email) == ("account_linked", event.user, "kind@example.org")
