"""Fixtures for the participation tests: an HzV contract of AOK Baden-Württemberg with a
participating GP, a BV and a DMP contract, and an adult insured in Stuttgart (BW)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from programs.models import DmpIndication, ProgramType, StartRule
from programs.terms.deadlines import BERLIN
from tests.factories import (
    ContractFactory,
    InsuredPersonFactory,
    LegalRepresentationFactory,
    ParticipationFactory,
    ProgramFactory,
    ProviderFactory,
)


def at(
    year: int, month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0, micro: int = 0
) -> dt.datetime:
    """An aware datetime in Europe/Berlin."""
    return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=BERLIN)


ALL_CONSENTS = {"declaration": True, "data_transfer": True, "revocation_instruction": True}


@pytest.fixture
def hzv(aoks):
    program = ProgramFactory(slug="hausarztprogramm-bw", title="Hausarztprogramm", program_type=ProgramType.HZV)
    contract = ContractFactory(
        program=program,
        fund=aoks["aok-bw"],
        valid_from=dt.date(2020, 1, 1),
        start_rule=StartRule.NEXT_QUARTER,
        binding_months=12,
        renewal_months=12,
        notice_months=1,
        version="2026-1",
    )
    gp = ProviderFactory(name="Praxis Dr. Hausarzt")
    ParticipationFactory(provider=gp, contract=contract, valid_from=dt.date(2020, 1, 1))
    return contract


@pytest.fixture
def gp(hzv):
    return hzv.participations.get().provider


@pytest.fixture
def second_gp(hzv):
    provider = ProviderFactory(name="Praxis Dr. Zweitmeinung", postal_code="70174", latitude=48.78, longitude=9.17)
    ParticipationFactory(provider=provider, contract=hzv, valid_from=dt.date(2020, 1, 1))
    return provider


@pytest.fixture
def bv(aoks):
    program = ProgramFactory(slug="rueckenschmerz", title="Rücken aktiv", program_type=ProgramType.BESONDERE)
    return ContractFactory(
        program=program,
        fund=aoks["aok-bw"],
        valid_from=dt.date(2020, 1, 1),
        start_rule=StartRule.NEXT_DAY,
        binding_months=12,
        renewal_months=12,
        notice_months=1,
    )


@pytest.fixture
def dmp(aoks):
    program = ProgramFactory(
        slug="curaplan-diabetes-2",
        title="Curaplan Diabetes Typ 2",
        program_type=ProgramType.DMP,
        dmp_indication=DmpIndication.DIABETES_2,
    )
    contract = ContractFactory(
        program=program,
        fund=aoks["aok-bw"],
        valid_from=dt.date(2020, 1, 1),
        start_rule=StartRule.NEXT_DAY,
        revocation_days=None,
        binding_months=0,
        renewal_months=0,
    )
    doctor = ProviderFactory(name="Diabetologische Praxis")
    ParticipationFactory(provider=doctor, contract=contract, valid_from=dt.date(2020, 1, 1))
    return contract


@pytest.fixture
def person(aoks):
    return InsuredPersonFactory(first_name="Erika", last_name="Muster", birth_date=dt.date(1980, 5, 17))


@pytest.fixture
def other_person(aoks):
    return InsuredPersonFactory(first_name="Otto", last_name="Anders")


@pytest.fixture
def parent_and_child(aoks):
    parent = InsuredPersonFactory(first_name="Paula", last_name="Eltern", birth_date=dt.date(1980, 1, 1))
    child = InsuredPersonFactory(first_name="Kim", last_name="Eltern", birth_date=dt.date(2016, 6, 1), user=None)
    LegalRepresentationFactory(representative=parent, represented=child)
    return parent, child


def key() -> uuid.UUID:
    return uuid.uuid4()
