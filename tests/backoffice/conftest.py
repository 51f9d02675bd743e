from __future__ import annotations

import uuid

import pytest

from enrollment import services
from tests.enrollment.conftest import ALL_CONSENTS, at, gp, hzv, other_person, person, second_gp  # noqa: F401


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
