"""A world of two funds for the tenancy tests: AOK Baden-Württemberg (the clerk's own fund)
and AOK PLUS (the other fund), each with a row of every fund-scoped model the admin shows.

A model registered in the admin later needs a row here for each fund (the registry test says
so when one is missing); the tests themselves are generated from the admin registry.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Permission

from enrollment import services
from enrollment.deadlines import BERLIN
from enrollment.models import CancellationRequest, DoctorChangeRequest, LegalRepresentation
from programs.models import Land, StartRule
from reports.models import ApplicationRollup, ImportRun, RemedyRollup, ReportFile, ReportYear
from tests.browser.conftest import browser, page  # noqa: F401 - browser fixtures for test_browser
from tests.factories import (
    ContractFactory,
    InsuredPersonFactory,
    ParticipationFactory,
    ProgramFactory,
    ProviderFactory,
    StaffMembershipFactory,
    UserFactory,
)

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BERLIN)
CONSENTS = {"declaration": True, "data_transfer": True, "revocation_instruction": True}


@dataclass
class FundWorld:
    fund: object
    clerk: object
    contract: object
    provider: object
    adult: object  # an insured person with an account
    child: object  # a child without account, represented by `adult`
    participation: object
    child_participation: object
    rows: dict = field(default_factory=dict)


def clerk_of(fund, *, all_permissions: bool = True):
    """A clerk of `fund`: staff, membership, and (worst case) every permission there is.

    Tenancy must hold whatever permissions a fund's account is given; only `is_superuser`
    (the operator) sees across funds."""
    user = StaffMembershipFactory(fund=fund, user=UserFactory(is_staff=True)).user
    if all_permissions:
        user.user_permissions.set(Permission.objects.all())
    return user


def _world_of(fund, land_code: str, plz: str) -> FundWorld:
    land = Land.objects.get(code=land_code)
    program = ProgramFactory(title=f"Rücken aktiv {fund.short_name}")
    contract = ContractFactory(
        program=program,
        fund=fund,
        valid_from=dt.date(2020, 1, 1),
        start_rule=StartRule.NEXT_DAY,
        binding_months=12,
        renewal_months=12,
        notice_months=1,
    )
    provider = ProviderFactory(name=f"Praxis nur {fund.short_name}", postal_code=plz)
    contract_participation = ParticipationFactory(provider=provider, contract=contract, valid_from=dt.date(2020, 1, 1))
    new_provider = ProviderFactory(name=f"Zweitpraxis {fund.short_name}", postal_code=plz)
    ParticipationFactory(provider=new_provider, contract=contract, valid_from=dt.date(2020, 1, 1))
    adult = InsuredPersonFactory(fund=fund, land=land, postal_code=plz, last_name=f"Erwachsen{fund.pk}")
    child = InsuredPersonFactory(
        fund=fund, land=land, postal_code=plz, user=None, birth_date=dt.date(2016, 6, 1), last_name=f"Kind{fund.pk}"
    )
    representation = LegalRepresentation.objects.create(representative=adult, represented=child)
    participation = services.participation_declare(
        person=adult,
        contract=contract,
        provider=provider,
        actor=adult.user,
        consents=CONSENTS,
        idempotency_key=uuid.uuid4(),
        now=NOW,
        notify=False,
    )
    child_participation = services.participation_declare(
        person=child,
        contract=contract,
        provider=provider,
        actor=adult.user,
        consents=CONSENTS,
        idempotency_key=uuid.uuid4(),
        now=NOW,
        notify=False,
    )
    clerk = clerk_of(fund)
    doctor_change = DoctorChangeRequest.objects.create(
        participation=participation, old_provider=provider, new_provider=new_provider, requested_at=NOW
    )
    cancellation = CancellationRequest.objects.create(
        participation=child_participation, reason="moved", requested_at=NOW
    )
    report_year = ReportYear.objects.create(fund=fund, year=2025)
    rows = {
        "contractparticipation": contract_participation,
        "legalrepresentation": representation,
        "doctorchangerequest": doctor_change,
        "cancellationrequest": cancellation,
        "reportyear": report_year,
        "importrun": ImportRun.objects.create(report_year=report_year, original_name="daten.csv", created_at=NOW),
        "reportfile": ReportFile.objects.create(
            report_year=report_year, data_version=1, figures_hash="x" * 64, created_at=NOW
        ),
        "applicationrollup": ApplicationRollup.objects.create(
            report_year=report_year, category=1, branch="KV", outcome="A", expert_opinion=False, count=1
        ),
        "remedyrollup": RemedyRollup.objects.create(report_year=report_year, kind="objection", branch="KV"),
    }
    return FundWorld(fund, clerk, contract, provider, adult, child, participation, child_participation, rows)


@pytest.fixture
def world(aoks):
    """(own, other): AOK BW and AOK PLUS with a row of every fund-scoped model each."""
    own = _world_of(aoks["aok-bw"], "BW", "70173")
    other = _world_of(aoks["aok-plus"], "SN", "01067")
    return own, other
