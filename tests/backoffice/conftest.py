from __future__ import annotations

import uuid

import pytest

from enrollment import services
from tests.fixtures.enrollment import ALL_CONSENTS, at


@pytest.fixture
def declared(hzv, gp, person):  # noqa: F811
    """A submitted online HzV participation of `person` (AOK BW)."""
    return services.participation_declare(
        person=person,
        contract=hzv,
        provider=gp,
        actor=person.user,
        consents=ALL_CONSENTS,
        idempotency_key=uuid.uuid4(),
        now=at(2025, 12, 20, 18),
    )


@pytest.fixture
def roles(db):
    from backoffice.roles import ensure_roles

    return ensure_roles().groups


def staff_in(fund, *role_names, groups):
    from tests.factories import StaffMembershipFactory

    user = StaffMembershipFactory(fund=fund).user
    user.groups.set([groups[name] for name in role_names])
    return user


@pytest.fixture
def clerk(aoks, roles):
    return staff_in(aoks["aok-bw"], "Kassen-Sachbearbeitung", groups=roles)


@pytest.fixture
def fund_admin(aoks, roles):
    return staff_in(aoks["aok-bw"], "Kassen-Administration", groups=roles)
