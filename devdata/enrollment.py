"""Demo participations for the demo accounts (hook of `manage.py seed_demo`).

Created through the services with past `now=` values, so the demo shows real histories:
- anna: "Gesundes Kinzigtal", declared 60 days ago → running (the window is over: cancel);
  the Hausarztprogramm is left for anna to declare and revoke herself;
- paul: the Hausarztprogramm of AOK PLUS with a GP near Dresden, declared 200 days ago;
- Leon (16, represented by paul): a DMP request (asthma) waiting for the doctor;
- Mia is left for paul to declare (the children's headache program).

Idempotent: the idempotency keys are derived from KVNR and program, so a second run finds
the records; later steps run only when the status still needs them. Also prints the demo
activation codes (`devdata.accounts.issue_demo_codes`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TextIO

from django.utils import timezone

from devdata.accounts import issue_demo_codes
from enrollment import services
from enrollment.eligibility import contract_for
from enrollment.lifecycle import STARTABLE_STATUSES, EnrollmentError, Status
from enrollment.models import InsuredPerson, Participation
from enrollment.selectors import providers_near
from programs.models import Program, ProgramType
from programs.terms.deadlines import BERLIN

DEMO_NAMESPACE = uuid.UUID("6f1c2b4e-3d7a-4f0e-9a51-8c2e7d5b1a90")

#: (KVNR of the person, program slug, days ago, KVNR of the declaring parent or None)
DEMO_PARTICIPATIONS: list[tuple[str, str, int, str | None]] = [
    ("A123456780", "gesundes-kinzigtal", 60, None),
    ("B234567895", "hausarztprogramm-aok-plus", 200, None),
    ("LEON", "dmp-asthma", 10, "B234567895"),
]


def _person(kvnr: str) -> InsuredPerson | None:
    if kvnr == "LEON":
        return InsuredPerson.objects.filter(first_name="Leon", last_name="Becker").first()
    return InsuredPerson.objects.filter(kvnr=kvnr).first()


def seed_enrollment_demo(stdout: TextIO, *, now: dt.datetime | None = None) -> list[Participation]:
    now = now or timezone.now()
    created: list[Participation] = []
    for kvnr, slug, days_ago, parent_kvnr in DEMO_PARTICIPATIONS:
        person = _person(kvnr)
        program = Program.objects.filter(slug=slug).first()
        actor_person = _person(parent_kvnr) if parent_kvnr else person
        if person is None or program is None or actor_person is None or actor_person.user is None:
            stdout.write(f"  Demo-Teilnahme {slug}: Person oder Programm fehlt, übersprungen\n")
            continue
        declared = now - dt.timedelta(days=days_ago)
        contract = contract_for(program, person.fund_id, on=timezone.localdate(declared))
        if contract is None:
            stdout.write(f"  Demo-Teilnahme {slug}: kein Vertrag, übersprungen\n")
            continue
        provider = None
        if program.program_type == ProgramType.HZV:
            nearest = providers_near(contract, postal_code=person.postal_code, on=timezone.localdate(declared), limit=1)
            provider = nearest[0][0] if nearest else None
        key = uuid.uuid5(DEMO_NAMESPACE, f"{person.kvnr}:{slug}")
        try:
            participation = services.participation_declare(
                person=person,
                contract=contract,
                provider=provider,
                actor=actor_person.user,
                consents={"declaration": True, "data_transfer": True, "revocation_instruction": True},
                idempotency_key=key,
                now=declared,
                notify=False,
            )
            _advance(participation, now=now)
        except EnrollmentError as error:
            stdout.write(f"  Demo-Teilnahme {slug} für {person}: {error}\n")
            continue
        participation.refresh_from_db()
        created.append(participation)
        stdout.write(f"  Demo-Teilnahme: {person} – {program.title}: {participation.get_status_display()}\n")

    issue_demo_codes(stdout)
    return created


def _advance(participation: Participation, *, now: dt.datetime) -> None:
    """Run the date-driven steps the daily command would have run up to `now`."""
    p = Participation.objects.get(pk=participation.pk)
    today = timezone.localdate(now)
    if p.status == Status.SUBMITTED and p.revocation_deadline and p.revocation_deadline < today:
        end_of_window = p.revocation_deadline_end + dt.timedelta(seconds=1)
        p = services.participation_close_revocation_period(participation=p, now=end_of_window)
    if p.status in STARTABLE_STATUSES and p.start_date and p.start_date <= today:
        start = dt.datetime.combine(p.start_date, dt.time(0, 30), tzinfo=BERLIN)
        services.participation_start(participation=p, now=max(start, p.declared_at))
