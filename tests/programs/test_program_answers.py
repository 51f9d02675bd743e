"""The program page answers for the signed-in person and for those they represent: never
"Sie können teilnehmen" to someone who already takes part, never "Online teilnehmen" where
taking part is not possible."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import DmpIndication, ProgramType
from tests.factories import ContractFactory, ProgramFactory
from tests.fixtures.enrollment import declare

pytestmark = pytest.mark.django_db


def page_of(client, program) -> str:
    return client.get(reverse("programs:detail", args=[program.slug])).content.decode()


def test_a_person_who_takes_part_sees_status_and_link_not_an_offer(client, bv, person):
    p = declare(bv, person, None, now=timezone.now())
    client.force_login(person.user)
    page = page_of(client, bv.program)
    assert "Sie nehmen bereits teil" in page
    assert "Sie können teilnehmen" not in page
    assert "Online teilnehmen" not in page
    assert reverse("enrollment:detail", args=[p.pk]) in page
    assert p.display_state_label(now=timezone.now()) in page


def test_a_dmp_of_the_same_indication_counts_as_taking_part(client, dmp, person, aoks):
    declare(dmp, person, None, now=timezone.now())
    other = ProgramFactory(
        slug="dmp-diabetes-2-zweit",
        title="Zweites Diabetes-Programm",
        program_type=ProgramType.DMP,
        dmp_indication=DmpIndication.DIABETES_2,
    )
    ContractFactory(program=other, fund=aoks["aok-bw"], valid_from=dt.date(2020, 1, 1), revocation_days=None)
    client.force_login(person.user)
    page = page_of(client, other)
    assert "Sie sind bereits in einem DMP für diese Erkrankung" in page
    assert dmp.program.title in page
    assert "Sie können teilnehmen" not in page and "Online teilnehmen" not in page


def test_no_online_button_where_taking_part_is_not_possible(client, bv, person):
    bv.program.min_age = 90
    bv.program.save()
    client.force_login(person.user)
    page = page_of(client, bv.program)
    assert "Teilnahme nicht möglich" in page
    assert "Online teilnehmen" not in page


def test_a_representative_sees_for_whom_the_program_is_open(client, bv, parent_and_child):
    parent, child = parent_and_child
    client.force_login(parent.user)
    page = page_of(client, bv.program)
    assert "Für die Personen, die Sie vertreten" in page
    assert f"für {child.first_name} möglich" in page
    assert "Online teilnehmen" in page
    p = declare(bv, child, None, actor=parent.user, now=timezone.now())
    page = page_of(client, bv.program)
    assert f"Teilnahme von {child.first_name} ansehen" in page
    assert reverse("enrollment:detail", args=[p.pk]) in page
    assert "Sie können teilnehmen" in page  # the parent still can
    assert "Online teilnehmen" in page


def test_every_represented_person_gets_an_answer(client, bv, parent_and_child):
    from tests.factories import InsuredPersonFactory, LegalRepresentationFactory

    parent, child = parent_and_child
    for name in ("Ada", "Ben"):
        sibling = InsuredPersonFactory(first_name=name, birth_date=dt.date(2018, 1, 1), user=None)
        LegalRepresentationFactory(representative=parent, represented=sibling)
    client.force_login(parent.user)
    page = page_of(client, bv.program)
    for name in (child.first_name, "Ada", "Ben"):
        assert f"für {name} möglich" in page
