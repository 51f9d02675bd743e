"""The staff roles: groups with exactly their permissions, created idempotently."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from backoffice.roles import (
    ANALYSIS,
    CONTRACT_MANAGEMENT,
    ENROLLMENT,
    FUND_ADMINISTRATION,
    OPERATOR,
    ROLES,
    ensure_roles,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def perms_of(role) -> set[str]:
    group = Group.objects.get(name=role.name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_ensure_roles_creates_every_role_and_is_idempotent():
    first = ensure_roles()
    assert sorted(first.created) == sorted(r.name for r in ROLES)
    second = ensure_roles()
    assert second.created == [] and second.updated == [] and sorted(second.unchanged) == sorted(first.created)


def test_ensure_roles_repairs_a_changed_group(capsys):
    ensure_roles()
    group = Group.objects.get(name=ENROLLMENT.name)
    group.permissions.clear()
    call_command("ensure_roles")
    assert "Kassen-Sachbearbeitung: korrigiert" in capsys.readouterr().out
    assert "enrollment.change_participation" in perms_of(ENROLLMENT)


def test_roles_separate_the_work():
    ensure_roles()
    contracts, clerks, analysts, admins, operator = (
        perms_of(r) for r in (CONTRACT_MANAGEMENT, ENROLLMENT, ANALYSIS, FUND_ADMINISTRATION, OPERATOR)
    )
    assert {"programs.change_contract", "programs.change_program", "providers.add_contractparticipation"} <= contracts
    assert not any(p.startswith("enrollment.") for p in contracts)
    assert {"enrollment.add_participation", "enrollment.change_doctorchangerequest"} <= clerks
    assert "enrollment.change_participationevent" not in clerks  # events are written by services only
    assert not {"programs.change_contract", "providers.change_provider", "auth.change_user"} & clerks
    assert "reports.change_reportyear" in analysts
    assert not any(p.startswith("enrollment.") for p in analysts)  # no personal data
    assert {"auth.change_user", "programs.add_staffmembership", "backoffice.view_accesslogentry"} <= admins
    assert "enrollment.unlock_login" in admins  # lifting login locks of the fund's accounts
    assert not any(p.startswith(("enrollment.", "reports.")) for p in admins - {"enrollment.unlock_login"})
    assert "providers.change_provider" in operator  # shared provider master data is the platform's
    assert not any(p.startswith("enrollment.") for p in operator)
    # nobody but the superuser may delete insured persons, participations or the access log
    every = contracts | clerks | analysts | admins | operator
    assert not {"enrollment.delete_insuredperson", "enrollment.delete_participation"} & every
    assert not any(p.startswith("backoffice.") and not p.startswith("backoffice.view_") for p in every)


def test_a_user_in_a_role_has_its_permissions():
    roles = ensure_roles()
    user = UserFactory(is_staff=True)
    user.groups.add(roles.groups[ENROLLMENT.name])
    assert user.has_perm("enrollment.change_participation") and not user.has_perm("programs.change_contract")
