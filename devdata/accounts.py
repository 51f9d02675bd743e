"""Demo activation codes, printed by the seed command.

Codes are stored hashed, so they cannot be printed again: every seed run issues a fresh code per
demo person, which (by `activation_code_issue`) marks the older open one superseded — in effect
there is always exactly one valid demo code per person. (Demo data only: real codes are printed
into letters by `enrollment.accounts.letters` and never shown elsewhere.) Persons that already have an account are skipped.
The persons are those with "activation_code" in the one list `devdata.data.accounts.INSURED`.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from devdata.data import accounts as account_data
from enrollment.accounts.services import activation_code_issue
from enrollment.models import InsuredPerson
from programs.aok import LAND_CODE_BY_AGS
from programs.models import Fund, Land
from programs.services import ensure_aoks


def _person(p: dict) -> InsuredPerson | None:
    """The demo person of `p`; created (without Gemeinde, as a registration would find it) only
    when missing and not one of the rows `seed_accounts` keeps."""
    person = InsuredPerson.objects.filter(kvnr=account_data.kvnr(p)).first()
    if person is not None or account_data.kept_by_seed_accounts(p):
        return person
    land = Land.objects.filter(code=LAND_CODE_BY_AGS[p["gemeinde"][:2]]).first()
    fund = Fund.objects.filter(slug=p["fund"]).first()
    if land is None or fund is None:
        return None
    return InsuredPerson.objects.create(
        kvnr=account_data.kvnr(p),
        first_name=p["first_name"],
        last_name=p["last_name"],
        birth_date=p["birth_date"],
        street=p["street"],
        postal_code=p["postal_code"],
        city=p["city"],
        land=land,
        fund=fund,
    )


@transaction.atomic
def issue_demo_codes(stdout: TextIO, *, now: dt.datetime | None = None) -> list[tuple[InsuredPerson, str]]:
    """Create the demo persons if missing, issue one fresh code each, print them."""
    now = now or timezone.now()
    if not Fund.objects.filter(slug="aok-bw").exists():
        ensure_aoks()
    wanted = [p for p in account_data.INSURED if p.get("activation_code")]
    # those who register on their own first (the order in which the codes are printed)
    wanted.sort(key=account_data.kept_by_seed_accounts)
    persons = [person for p in wanted if (person := _person(p)) is not None]
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
