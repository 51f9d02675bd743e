"""Real places from the first start: every German postal code is known, Großkunden- and
Postfach-PLZ are not home addresses, and the place is asked for only when it decides the fund."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from programs.services import ensure_aoks

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def germany():
    call_command("import_regions", verbosity=0)
    ensure_aoks()


def test_home_knows_duesseldorf_and_names_its_aok(client, germany):
    body = client.get(reverse("home"), {"plz": "40213"}).content.decode()
    assert "AOK Rheinland/Hamburg" in body
    assert "kennen wir nicht" not in body


def test_home_refuses_a_grosskunden_plz_as_home_address(client, germany):
    body = client.get(reverse("home"), {"plz": "10875"}).content.decode()
    assert "gehört zu einem Postfach oder einem Großkunden" in body
    assert "AOK Baden-Württemberg" not in body and "AOK Nordost" not in body


def test_home_does_not_ask_for_the_place_when_all_places_have_one_fund(client, germany):
    body = client.get(reverse("home"), {"plz": "07919"}).content.decode()
    assert "Ort übernehmen" not in body
    assert "AOK PLUS" in body


def test_home_asks_for_the_place_when_it_decides_the_fund(client, germany):
    body = client.get(reverse("home"), {"plz": "59969"}).content.decode()
    assert "Ort übernehmen" in body
    assert "Bromskirchen" in body and "Hallenberg" in body


def test_make_run_imports_every_postal_code_before_the_demo():
    plan = subprocess.run(  # noqa: S603
        ["make", "-n", "demo"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert plan.index("manage.py import_regions") < plan.index("manage.py seed_demo")
