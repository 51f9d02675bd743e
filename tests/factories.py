"""factory_boy factories (German locale). Reference data (Länder, funds) comes from
`programs.services.ensure_aoks()` through the `aoks` fixture, not from factories."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from enrollment.models import InsuredPerson, LegalRepresentation
from programs.models import Contract, Fund, Land, PostalCode, Program, ProgramType, StaffMembership
from programs.validators import kvnr_with_check_digit
from providers.models import ContractParticipation, Provider, ProviderKind

factory.Faker._DEFAULT_LOCALE = "de_DE"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("Sicheres-Passwort-2026")


class LandFactory(DjangoModelFactory):
    class Meta:
        model = Land
        django_get_or_create = ["code"]

    code = "BW"
    ags = "08"
    name = "Baden-Württemberg"


class PostalCodeFactory(DjangoModelFactory):
    class Meta:
        model = PostalCode

    code = factory.Sequence(lambda n: f"{70000 + n:05d}")
    place = factory.Faker("city")
    land = factory.LazyFunction(lambda: Land.objects.get(code="BW"))
    kreis = None
    latitude = 48.78
    longitude = 9.18


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    slug = factory.Sequence(lambda n: f"programm-{n}")
    title = factory.Sequence(lambda n: f"Versorgungsprogramm {n}")
    summary = "Eine strukturierte Versorgung für chronisch kranke Menschen."
    program_type = ProgramType.BESONDERE
    online_enrollment = True


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = Contract

    program = factory.SubFactory(ProgramFactory)
    fund = factory.LazyFunction(lambda: Fund.objects.get(slug="aok-bw"))
    valid_from = dt.date(2024, 1, 1)
    declaration_text = "Ich erkläre meine Teilnahme an diesem Vertrag."
    consent_text = "Ich willige in die Übermittlung meiner Behandlungsdaten ein."
    revocation_instruction = "Sie können Ihre Teilnahme binnen zwei Wochen ohne Begründung widerrufen."


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Provider

    kind = ProviderKind.GP_PRACTICE
    name = factory.LazyFunction(
        lambda: f"Praxis Dr. {factory.Faker('last_name').evaluate(None, None, {'locale': 'de_DE'})}"
    )
    postal_code = "70173"
    city = "Stuttgart"
    latitude = 48.7758
    longitude = 9.1829
    fachgruppe = "Allgemeinmedizin"


class ContractParticipationFactory(DjangoModelFactory):
    class Meta:
        model = ContractParticipation

    provider = factory.SubFactory(ProviderFactory)
    contract = factory.SubFactory(ContractFactory)
    valid_from = dt.date(2024, 1, 1)


class InsuredPersonFactory(DjangoModelFactory):
    class Meta:
        model = InsuredPerson

    kvnr = factory.Sequence(lambda n: kvnr_with_check_digit("A", f"{10000000 + n:08d}"))
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    birth_date = dt.date(1980, 5, 17)
    street = factory.Faker("street_address")
    postal_code = "70173"
    city = "Stuttgart"
    land = factory.LazyFunction(lambda: Land.objects.get(code="BW"))
    fund = factory.LazyFunction(lambda: Fund.objects.get(slug="aok-bw"))
    user = factory.SubFactory(UserFactory)


class LegalRepresentationFactory(DjangoModelFactory):
    class Meta:
        model = LegalRepresentation

    representative = factory.SubFactory(InsuredPersonFactory)
    represented = factory.SubFactory(InsuredPersonFactory, user=None, birth_date=dt.date(2015, 3, 1))


class StaffMembershipFactory(DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory, is_staff=True)
    fund = factory.LazyFunction(lambda: Fund.objects.get(slug="aok-bw"))
