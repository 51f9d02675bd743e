"""Demo activation codes, printed by the seed command.

Codes are stored hashed, so they cannot be printed again: every seed run issues a fresh code per
demo person, which (by `activation_code_issue`) deletes the older unused one — in effect there is
always exactly one valid demo code per person. Persons that already have an account are skipped.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from enrollment.accounts.services import activation_code_issue
from enrollment.models import InsuredPerson
from programs.models import Fund, Land

# (kvnr, first, last, birth date, street, plz, city, land, fund slug)
DEMO_PERSONS = [
    ("Z987654321", "Clara", "Schmidt", dt.date(1992, 11, 30), "Königstraße 12", "70173", "Stuttgart", "BW", "aok-bw"),
    (
        "W456789126",
        "Jonas",
        "Wagner",
        dt.date(1978, 3, 21),
        "Karl-Liebknecht-Straße 8",
        "04107",
        "Leipzig",
        "SN",
        "aok-plus",
    ),
]


def _ensure_person(kvnr, first, last, birth, street, plz, city, land_code, fund_slug) -> InsuredPerson | None:
    person = InsuredPerson.objects.filter(kvnr=kvnr).first()
    if person is not None:
        return person
    land = Land.objects.filter(code=land_code).first()
    fund = Fund.objects.filter(slug=fund_slug).first()
    if land is None or fund is None:
        return None
    return InsuredPerson.objects.create(
        kvnr=kvnr,
        first_name=first,
        last_name=last,
        birth_date=birth,
        street=street,
        postal_code=plz,
        city=city,
        land=land,
        fund=fund,
    )


@transaction.atomic
def issue_demo_codes(stdout: TextIO, *, now: dt.datetime | None = None) -> list[tuple[InsuredPerson, str]]:
    """Create the demo persons if missing, issue one fresh code each, print them."""
    now = now or timezone.now()
    if not Fund.objects.filter(slug="aok-bw").exists():
        from programs.services import ensure_aoks

        ensure_aoks()
    persons = [p for row in DEMO_PERSONS if (p := _ensure_person(*row)) is not None]
    # Leon Becker (represented by Paul, 15+) may register himself: give him a code too.
    persons += list(
        InsuredPerson.objects.filter(first_name="Leon", last_name="Becker", user__isnull=True).exclude(
            pk__in=[p.pk for p in persons]
        )
    )
    issued: list[tuple[InsuredPerson, str]] = []
    for person in persons:
        if person.user_id is not None:
            continue
        code, _row = activation_code_issue(person=person, issued_by=None, now=now)
        issued.append((person, code))
    if issued:
        stdout.write("Aktivierungscodes für die Registrierung (/konto/registrieren/, je 90 Tage gültig):\n")
        for person, code in issued:
            name = f"{person.first_name} {person.last_name}"
            stdout.write(f"  {name:<16} KVNR {person.kvnr}  geb. {person.birth_date:%d.%m.%Y}  Code {code}\n")
    return issued
