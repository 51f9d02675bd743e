"""Reads of the enrollment app: persons, participations, pending requests, providers to choose.

Invariant: a signed-in user reaches only their own `InsuredPerson` and the persons they
legally represent on the given day (`LegalRepresentation` valid on that day), and only the
participations of those persons (fetched with the allowed persons in the filter).
Everything else is a 404, never a 403, so the existence of other records is not revealed.
Words for people (the status page's timeline) live in `enrollment.timeline`.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from enrollment.lifecycle import OPEN_STATUSES, RUNNING_STATUSES
from enrollment.models import (
    CancellationRequest,
    DoctorChangeRequest,
    DocumentKind,
    InsuredPerson,
    LegalRepresentation,
    Participation,
    ParticipationEvent,
    RequestDecision,
)
from programs.eligibility import EligibilityResult
from programs.models import Contract, ProgramType
from programs.selectors import contracts_by_pk
from providers.models import Provider, ProviderKind
from providers.selectors import providers_by_pk


def _valid_on(day: date, prefix: str = "") -> Q:
    """A representation is valid on `day` when `day` lies within [valid_from, valid_until]."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day})
    )


def representations_for_user(user, *, on_date: date | None = None) -> QuerySet[LegalRepresentation]:
    """Representations valid on `on_date` (default: today) in which the user's person is the representative."""
    if not getattr(user, "is_authenticated", False):
        return LegalRepresentation.objects.none()
    day = on_date or timezone.localdate()
    return LegalRepresentation.objects.filter(_valid_on(day), representative__user=user)


def persons_for_user_qs(user, *, on_date: date | None = None) -> QuerySet[InsuredPerson]:
    """Queryset of the user's own record plus the persons they represent on `on_date`."""
    if not getattr(user, "is_authenticated", False):
        return InsuredPerson.objects.none()
    day = on_date or timezone.localdate()
    # The represented ids as a list (one small query), not as a sub-select: `user = x OR id IN
    # (sub-select)` made PostgreSQL read every insured person (120 ms with a million); with
    # a list both sides are index lookups.
    represented_ids = list(representations_for_user(user, on_date=day).values_list("represented_id", flat=True))
    return InsuredPerson.objects.filter(Q(user=user) | Q(pk__in=represented_ids)).select_related("fund", "land")


def sorted_rows(qs: QuerySet, key, *, reverse: bool = False) -> list:
    """The rows of `qs`, sorted in Python instead of by ORDER BY. For a person's handful of rows
    read with joined tables: Django 6.1 hashes every selected column to apply an ORDER BY
    (`SQLCompiler._order_by_pairs`), which cost more than the query itself — a third of the
    status page's time (issue 11)."""
    rows = list(qs.order_by())
    rows.sort(key=key, reverse=reverse)
    return rows


def persons_for_user(user, *, on_date: date | None = None) -> list[InsuredPerson]:
    """The user's own record first, then the represented persons (by birth date, oldest first)."""
    return sorted_rows(
        persons_for_user_qs(user, on_date=on_date),
        key=lambda p: (p.user_id != user.pk, p.birth_date, p.last_name, p.first_name),
    )


def person_for_user_or_404(user, person_id, *, on_date: date | None = None) -> InsuredPerson:
    """The person with `person_id` if the user may act for them; otherwise `Http404`."""
    try:
        pk = int(person_id)
    except (TypeError, ValueError):
        raise Http404("No such person") from None
    person = persons_for_user_qs(user, on_date=on_date).filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    return person


def own_person(user) -> InsuredPerson | None:
    """The insured record linked to the user's account, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return InsuredPerson.objects.filter(user=user).select_related("fund", "land").first()


# --- participations ---------------------------------------------------------------------------


def participations_for_user(user, *, on: dt.date | None = None) -> QuerySet[Participation]:
    """Participations of every person the user may act for (no data of anybody else)."""
    person_ids = [p.pk for p in persons_for_user(user, on_date=on)] if getattr(user, "is_authenticated", False) else []
    return Participation.objects.filter(person_id__in=person_ids).select_related(
        "person", "contract__program", "contract__fund", "provider", "signer"
    )


def participation_for_user_or_404(user, pk: int, *, on: date | None = None) -> Participation:
    """One query: the participation if it belongs to the user's person or to a person the user
    represents on `on` (default today; the same rule as `persons_for_user_qs`, as a sub-select)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such participation")
    represented_ids = representations_for_user(user, on_date=on).values("represented_id")
    # no ORDER BY, a primary key finds one row (see `sorted_rows` for what an ORDER BY costs)
    found = list(
        Participation.objects.filter(Q(person__user=user) | Q(person_id__in=represented_ids), pk=pk)
        .select_related("person", "signer")
        .order_by()
    )
    if not found:
        raise Http404("No such participation")
    return with_catalogue_rows(found)[0]


def with_catalogue_rows(participations: list[Participation]) -> list[Participation]:
    """`participations` with their contract (program, fund) and provider from the catalogue
    stores instead of joined tables: a participation read with five joined tables (139
    columns) cost more in Django's compiling and PostgreSQL's planning than the person's rows
    themselves. The attached objects are shared by every request: read them, never change them."""
    contracts = contracts_by_pk([p.contract_id for p in participations])
    providers = providers_by_pk([p.provider_id for p in participations if p.provider_id])
    for participation in participations:
        if participation.contract_id in contracts:
            participation.contract = contracts[participation.contract_id]
        if participation.provider_id in providers:
            participation.provider = providers[participation.provider_id]
    return participations


@dataclass
class PersonParticipations:
    person: InsuredPerson
    is_self: bool
    participations: list[Participation]


def dashboard(user, *, now: dt.datetime) -> list[PersonParticipations]:
    """ "Mein Bereich": the user's own participations first, then each represented person's,
    each with `state_label` (the display state at `now`, e.g. "in der Widerrufsfrist").
    Two queries, whatever the number of persons and participations."""
    persons = persons_for_user(user)
    by_person: dict[int, list[Participation]] = {p.pk: [] for p in persons}
    found = with_catalogue_rows(
        sorted_rows(
            Participation.objects.filter(person_id__in=list(by_person)),
            key=lambda p: (p.declared_at, p.pk),
            reverse=True,
        )
    )
    for participation in found:
        participation.state_label = participation.display_state_label(now=now)
        by_person[participation.person_id].append(participation)
    return [
        PersonParticipations(person=p, is_self=p.user_id == user.pk, participations=by_person[p.pk]) for p in persons
    ]


def events_of(participation: Participation) -> list[ParticipationEvent]:
    """The participation's events in order, each with its actor and, when the event issued
    one, its document (`event.issued_document`, else None) in the same query."""
    events = sorted_rows(participation.events.select_related("actor", "document"), key=lambda e: (e.at, e.pk))
    for event in events:
        event.issued_document = getattr(event, "document", None)  # cached by select_related: no query
    return events


def confirmations_of(events: list[ParticipationEvent]) -> list:
    """The confirmations (every issued document but the receipt) among `events_of`, oldest
    first as the documents are ordered."""
    issued = [e.issued_document for e in events if e.issued_document is not None]
    return sorted((d for d in issued if d.kind != DocumentKind.RECEIPT), key=lambda d: (d.issued_at, d.pk))


def pending_requests(participation: Participation) -> tuple[list[DoctorChangeRequest], list[CancellationRequest]]:
    doctor = sorted_rows(  # the model's order, newest first
        DoctorChangeRequest.objects.filter(participation=participation)
        .filter(Q(decision=RequestDecision.PENDING) | Q(decision=RequestDecision.APPROVED, applied_at__isnull=True))
        .select_related("new_provider"),
        key=lambda r: r.requested_at,
        reverse=True,
    )
    cancel = list(CancellationRequest.objects.filter(participation=participation, decision=RequestDecision.PENDING))
    return doctor, cancel


# --- providers to choose ------------------------------------------------------------------------


def participating_providers(contract: Contract, *, on: dt.date) -> QuerySet[Provider]:
    """Providers taking part in the contract on `on`; HzV: only GP practices and MVZ."""
    qs = Provider.objects.filter(participations__contract=contract, participations__valid_from__lte=on).filter(
        Q(participations__valid_until__isnull=True) | Q(participations__valid_until__gte=on)
    )
    if contract.program.program_type == ProgramType.HZV:
        qs = qs.filter(kind__in=HZV_KINDS)
    return qs.distinct()


HZV_KINDS = (ProviderKind.GP_PRACTICE, ProviderKind.MVZ)


def providers_near(
    contract: Contract, *, postal_code: str, on: dt.date, limit: int = 15
) -> list[tuple[Provider, float | None]]:
    """The providers taking part in `contract` nearest to the centroid of `postal_code`, with
    distances in km (the catalogue's bounding-box search, `providers.selectors.nearby_providers`).
    Unknown postal code: the participating providers by postal code, without distances."""
    from programs.selectors import postal_code_centroid
    from providers.selectors import ProviderFilters, nearby_providers

    origin = postal_code_centroid(postal_code) if postal_code else None
    if origin is None:
        return [(p, None) for p in participating_providers(contract, on=on).order_by("postal_code", "name")[:limit]]
    kinds = tuple(HZV_KINDS) if contract.program.program_type == ProgramType.HZV else ()
    page = nearby_providers(
        origin=origin, contract_ids=[contract.pk], on=on, filters=ProviderFilters(kinds=kinds), page_size=limit
    )
    # a hit has no provider when another process deleted it and this one has not yet seen
    # the new catalogue version (up to a second): that practice is no longer on offer
    return [(provider, hit.distance_km) for hit in page.hits if (provider := hit.provider) is not None]


def _open_participations(user, persons: list[InsuredPerson], *, now: dt.datetime, where: Q | None = None) -> list:
    """Open participations of `persons` (oldest declaration first, one query), each with its
    `person`, `is_self` and `state_label` (the display state at `now`)."""
    by_pk = {p.pk: p for p in persons}
    if not by_pk:
        return []
    found = sorted_rows(
        Participation.objects.filter(where or Q(), person_id__in=list(by_pk), status__in=OPEN_STATUSES).select_related(
            "contract__program"
        ),
        key=lambda p: (p.declared_at, p.pk),
    )
    for participation in found:
        participation.person = by_pk[participation.person_id]
        participation.is_self = participation.person.user_id == user.pk
        participation.state_label = participation.display_state_label(now=now)
    return found


def open_participations_with_deadlines(
    user, *, now: dt.datetime, persons: list[InsuredPerson] | None = None
) -> list[Participation]:
    """The open participations of every person the user may act for, oldest declaration first,
    each with `state_label`, `is_self` and its next deadline as `next_deadline` (a date) and
    `next_deadline_kind` ("revoke", "cancel" or "end", or "" when none): what the home page
    greets a signed-in person with. One query after the persons."""
    rows = _open_participations(user, persons if persons is not None else persons_for_user(user), now=now)
    for p in rows:
        p.next_deadline, p.next_deadline_kind = None, ""
        if p.revocation_deadline and p.can_revoke(now=now):
            p.next_deadline, p.next_deadline_kind = p.revocation_deadline, "revoke"
        elif p.cancel_by and p.can_cancel(now=now):
            p.next_deadline, p.next_deadline_kind = p.cancel_by, "cancel"
        elif p.end_date:
            p.next_deadline, p.next_deadline_kind = p.end_date, "end"
    return rows


@dataclass(frozen=True)
class AccountData:
    """What the catalogue pages and the wizard need of a signed-in account: its persons (own
    record first), the programs each of them takes part in now, and every open participation
    (`open_participations_with_deadlines`). Kept per account version and day
    (`account_data`): shared by requests, read it, never change it."""

    own: InsuredPerson | None
    persons: tuple[InsuredPerson, ...]
    running: dict[int, frozenset[int]]
    open_participations: tuple[Participation, ...]

    def running_program_ids(self, person: InsuredPerson) -> frozenset[int]:
        return self.running.get(person.pk, frozenset())


def account_data(user) -> AccountData:
    """The account's `AccountData`, read once per account version and day
    (`enrollment.account_memo`): what the catalogue pages and the wizard show of a signed-in
    person beside the catalogue."""
    from enrollment.account_memo import memoised_for_account

    return memoised_for_account(user, "account-data", (), lambda now: read_account_data(user, now=now))


def read_account_data(user, *, now: dt.datetime) -> AccountData:
    """`AccountData` from the database: four queries, whatever the number of persons."""
    persons = persons_for_user(user, on_date=timezone.localdate(now))
    running: dict[int, set[int]] = {p.pk: set() for p in persons}
    rows = Participation.objects.filter(person_id__in=list(running), status__in=RUNNING_STATUSES).order_by()
    for person_id, program_id in rows.values_list("person_id", "program_id"):
        running[person_id].add(program_id)
    return AccountData(
        own=next((p for p in persons if p.user_id == user.pk), None),
        persons=tuple(persons),
        running={pk: frozenset(ids) for pk, ids in running.items()},
        open_participations=tuple(open_participations_with_deadlines(user, now=now, persons=persons)),
    )


def running_program_ids(person: InsuredPerson) -> frozenset[int]:
    """Programs the person takes part in now (running participations): what the catalogue's
    eligibility rules need to know about participations (prerequisites, exclusions)."""
    return frozenset(
        Participation.objects.filter(person=person, status__in=RUNNING_STATUSES)
        .order_by()
        .values_list("program_id", flat=True)
    )


def open_participations_for_program(data: AccountData, program) -> list[Participation]:
    """The account's open participations (declared, waiting, running) in `program` or — for a
    DMP — in another DMP of the same indication: what the program page must say instead of
    "Sie können teilnehmen". Each carries `state_label`, `is_self` and `other_program`; copies,
    so the shared `data` stays as it is."""
    found = []
    for participation in data.open_participations:
        same = participation.program_id == program.pk or (
            program.dmp_indication
            and participation.program_type == ProgramType.DMP
            and participation.dmp_indication == program.dmp_indication
        )
        if same:
            row = copy.copy(participation)
            row.other_program = participation.program_id != program.pk
            found.append(row)
    return found


@dataclass
class ProgramAnswer:
    """What the program page says for one person the user acts for: the open participation
    there is (then never "Sie können teilnehmen"), or the eligibility."""

    person: InsuredPerson
    is_self: bool
    participation: Participation | None
    eligibility: EligibilityResult | None

    @property
    def possible(self) -> bool:
        return self.participation is None and self.eligibility is not None and not self.eligibility.reasons


def program_answers(
    user, program, *, data: AccountData, on: dt.date, self_eligibility: EligibilityResult | None = None
) -> list[ProgramAnswer]:
    """One answer per person the user may act for (own record first, then the represented
    persons), from the account's `data`. `self_eligibility` is the page's own check for the
    user (it honours a postal code or age typed on the page); the represented persons are
    checked from their records. `program` comes from `program_for_detail` (current contracts
    attached)."""
    from programs.eligibility import check_eligibility
    from programs.selectors import person_context_for_insured

    by_person = {p.person_id: p for p in open_participations_for_program(data, program)}
    answers = []
    for person in data.persons:
        is_self = person.user_id == user.pk
        participation = by_person.get(person.pk)
        eligibility = None
        if participation is None:
            if is_self and self_eligibility is not None:
                eligibility = self_eligibility
            else:
                ctx = person_context_for_insured(person, on=on, active_program_ids=data.running_program_ids(person))
                eligibility = check_eligibility(program, ctx, on=on)
        answers.append(ProgramAnswer(person, is_self, participation, eligibility))
    return answers
