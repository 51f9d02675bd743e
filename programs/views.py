"""Public catalogue views (thin: validate input, call selectors, render).

Every page is a GET form: filters live in the URL, the back button works and the pages work
without JavaScript. With htmx, the same URL answers with the `#results` partial.
No input makes a page fail: invalid values become form errors, the rest still applies.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cached_property, lru_cache, partial

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from enrollment.selectors import account_data, program_answers
from programs.aok import land_name
from programs.caching import cache_anonymous_page, per_catalogue_version, render_page
from programs.dates import weekday_date
from programs.eligibility import PersonContext, ReasonCode, check_eligibility, region_text
from programs.forms import CatalogueForm, DeadlineCalculatorForm, PersonForm, PlaceForm, clean_postal_code
from programs.models import DmpIndication, ProgramType
from programs.search import MAX_QUERY_LENGTH, corrections, parse_query
from programs.selectors import (
    CatalogueFilters,
    ResolvedPlace,
    Sort,
    catalogue_groups,
    catalogue_ids,
    exclusions_for,
    funds_list,
    list_rows,
    person_context_for_insured,
    person_context_for_place,
    postal_code_centroid,
    program_for_detail,
    resolve_place,
)
from programs.terms import deadlines
from programs.terms.policy import contract_policy, shift_texts
from providers.selectors import nearby_providers

PAGE_SIZE = 20
HOME_PER_TYPE = 5
NEARBY_COUNT = 5


def _account_data(request: HttpRequest):
    """The signed-in account's persons and participations (`enrollment.account_memo`), or None."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return account_data(user)


def _unknown_plz_message(code: str, place: ResolvedPlace | None = None) -> str:
    if place is not None and place.not_residential:
        return _(
            "Die Postleitzahl %(plz)s gehört zu einem Postfach oder einem Großkunden, nicht zu einer "
            "Wohnanschrift. Bitte geben Sie die Postleitzahl Ihres Wohnorts ein."
        ) % {"plz": code}
    return _(
        "Die Postleitzahl %(plz)s kennen wir nicht. Bitte prüfen Sie die Eingabe; "
        "Postleitzahlen von Postfächern oder Großkunden haben keinen Wohnort."
    ) % {"plz": code}


def _resolve_form_place(form, field: str = "plz") -> ResolvedPlace | None:
    """The place of a validated PLZ field (adds an error for an unknown PLZ)."""
    code = form.cleaned_data.get(field) if hasattr(form, "cleaned_data") else None
    if not code:
        return None
    place = resolve_place(code, form.data.get("ort") or None)
    if not place.known:
        form.add_error(field, _unknown_plz_message(code, place))
        return None
    return place


def _person_context(account, place: ResolvedPlace | None, age: int | None, *, on) -> PersonContext | None:
    """The visitor's context: a signed-in insured person's record (`account`, from
    `_account_data`), overridden by what they typed; otherwise only what they typed (None if
    nothing)."""
    person = account.own if account is not None else None
    if person is not None:
        ctx = person_context_for_insured(person, on=on, active_program_ids=account.running_program_ids(person))
        if place is not None:
            from_place = person_context_for_place(place, on=on)
            ctx = dataclasses.replace(
                ctx,
                land_codes=from_place.land_codes,
                kreis_keys=from_place.kreis_keys,
                gemeinde_keys=from_place.gemeinde_keys,
                postal_code=from_place.postal_code,
                place_label=from_place.place_label,
            )
        if age is not None:
            ctx = dataclasses.replace(ctx, age=age, birth_date=None)
        return ctx
    if place is None and age is None:
        return None
    return person_context_for_place(place, age=age, on=on)


def _person_summary(ctx: PersonContext, today) -> str:
    parts = []
    if ctx.place_label:
        parts.append(ctx.place_label)
    age = ctx.age_on(today)
    if age is not None:
        parts.append(ngettext("%(n)s Jahr", "%(n)s Jahre", age) % {"n": age})
    if ctx.birth_date is not None:
        parts.append(_("Angaben aus Ihrem Konto"))
    return ", ".join(parts)


def _person_query(place: ResolvedPlace | None, age: int | None) -> str:
    """Query string that carries PLZ, place and age to the next page."""
    params = {}
    if place is not None:
        params["plz"] = place.code
        if place.chosen is not None and len(place.groups) > 1:
            params["ort"] = place.chosen.key
    if age is not None:
        params["alter"] = age
    return urlencode(params)


@per_catalogue_version
def _labels() -> dict[str, dict[str, str]]:
    """Choice labels in the active language (a model's get_FOO_display() rebuilds its choice
    dict on every call); memoised per language, read only."""
    return {
        "type": {value: str(label) for value, label in ProgramType.choices},
        "indication": {value: str(label) for value, label in DmpIndication.choices},
    }


_DETAIL_URL_PATTERN = "programm-slug-placeholder"


def _detail_url(slug: str, query: str = "") -> str:
    """reverse() once per script prefix: rows need dozens of these per page, and one reverse
    cost some 30 µs."""
    url = _detail_url_pattern(get_script_prefix()).replace(_DETAIL_URL_PATTERN, slug)
    return f"{url}?{query}" if query else url


@lru_cache(maxsize=8)
def _detail_url_pattern(prefix: str) -> str:
    return reverse("programs:detail", args=[_DETAIL_URL_PATTERN])


def _german_fallbacks(program) -> dict[str, bool]:
    """Which shown texts are German although English is active (marked lang="de")."""
    english = (get_language() or "de").startswith("en")
    return {"title_de": english and not program.title_en, "summary_de": english and not program.summary_en}


def _shorten(text: str, words: int) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"


class ResultRow:
    """What one result of the list shows. A row is rendered only when it is not yet memoised
    for this catalogue version, language, day and eligibility (`{% fragment "result-item" %}`,
    with the query to the program page filled in per request), so what it shows is computed
    lazily."""

    def __init__(self, program, labels: dict, detail_query: str, eligibility, *, on: dt.date):
        self.program, self.labels, self.eligibility, self.day = program, labels, eligibility, on
        self.base_url, self.query = _detail_url(program.slug), detail_query

    @cached_property
    def _fallbacks(self) -> dict[str, bool]:
        return _german_fallbacks(self.program)

    @property
    def title_de(self) -> bool:
        return self._fallbacks["title_de"]

    @property
    def summary_de(self) -> bool:
        return self._fallbacks["summary_de"]

    @property
    def fragment_key(self) -> tuple:
        """What the row shows follows from the program, the day and the eligibility shown."""
        return (self.program.pk, self.day, self.eligibility.fragment_key if self.eligibility is not None else None)

    @cached_property
    def summary(self) -> str:
        return _shorten(self.program.display_summary, 40)

    @cached_property
    def meta(self) -> str:
        program, labels = self.program, self.labels
        funds = [c.fund.short_name for c in program.current_contracts]
        if len(funds) > 3:
            funds_text = ", ".join(funds[:3]) + " " + _("und %(n)s weitere") % {"n": len(funds) - 3}
        else:
            funds_text = ", ".join(funds)
        meta = [labels["type"].get(program.program_type, program.program_type)]
        if program.dmp_indication:
            meta.append(labels["indication"].get(program.dmp_indication, ""))
        if program.region_note:
            meta.append(program.region_note)
        if funds_text:
            meta.append(funds_text)
        return " · ".join(meta)

    @cached_property
    def age(self) -> str:
        program = self.program
        if program.min_age is not None and program.max_age is not None:
            return _("%(a)s bis %(b)s Jahre") % {"a": program.min_age, "b": program.max_age}
        if program.min_age is not None:
            return _("ab %(a)s Jahren") % {"a": program.min_age}
        if program.max_age is not None:
            return _("bis %(b)s Jahre") % {"b": program.max_age}
        return ""


# --- home -------------------------------------------------------------------------------------


@cache_anonymous_page(params=(*PlaceForm.base_fields, PlaceForm.ASKED))
def home(request: HttpRequest) -> HttpResponse:
    """ "Wo wohnen Sie?" → the responsible AOK and its programs there, grouped by type."""
    today = timezone.localdate()
    bound = "plz" in request.GET
    form = PlaceForm(request.GET if bound else None)
    place = None
    groups = []
    account = _account_data(request)
    person = account.own if account is not None else None
    if person is not None and not bound and person.postal_code:
        # signed in: the person's own place, without typing it (a typed postal code still wins)
        own = resolve_place(person.postal_code)
        place = own if own.known and own.settled else None
    if bound:
        raw_code = request.GET.get("plz", "")
        try:
            code = clean_postal_code(raw_code)
        except ValidationError:  # the form reports the same error below
            code = ""
        if code:
            place = resolve_place(code, request.GET.get("ort") or None)
            form.set_place_choices(place.groups)
        if form.is_valid() and place is not None and not place.known:
            form.add_error("plz", _unknown_plz_message(code, place))
        if place is not None and not place.known:
            place = None
    if place is not None and place.settled and not form.errors:
        filters = CatalogueFilters(place=place, sort=Sort.NAME)
        # The groups are shared by every request (memo): each gets its own copies. They are
        # rendered once per content (`{% fragment "home-groups" %}`, the place's query filled
        # in), so their rows are built only then.
        groups = [
            {**g, "rows": partial(_home_rows, g["programs"])}
            for g in catalogue_groups(filters, on=today, per_type=HOME_PER_TYPE)
        ]
    place_query = _person_query(place, None) if place is not None else ""
    context = {
        "form": form,
        "place": place if not form.errors else None,
        "list_url": f"{reverse('programs:list')}?{place_query}" if place is not None else "",
        "groups": groups,
        "groups_key": tuple((g["type"], g["count"], tuple(p.pk for p in g["programs"])) for g in groups),
        "place_query": place_query,
        "program_total": sum(g["count"] for g in groups),
        "per_type": HOME_PER_TYPE,
        "greeting_person": person,
        # the navigation's link to the program list keeps the place (templates/base.html)
        "visit_plz": place.code if place is not None and not form.errors else "",
        "open_participations": account.open_participations if person is not None else (),
    }
    return render_page(request, "programs/home.html", context)


def _home_rows(programs) -> list[dict]:
    return [
        {
            "program": p,
            "base_url": _detail_url(p.slug),
            "summary": _shorten(p.display_summary, 35),
            **_german_fallbacks(p),
        }
        for p in programs
    ]


# --- list -------------------------------------------------------------------------------------


@cache_anonymous_page(params=(*CatalogueForm.base_fields, "seite"))
def program_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    funds = funds_list()
    form = CatalogueForm(request.GET or None, funds=funds)
    if form.is_bound:
        form.is_valid()  # the valid fields apply even if others are wrong
    data = getattr(form, "cleaned_data", {}) if form.is_bound else {}
    place = _resolve_form_place(form) if data.get("plz") else None
    age = data.get("alter")
    query = parse_query(data.get("q", ""))
    fund_ids = tuple(f.pk for f in funds if f.slug == data.get("kasse"))
    filters = CatalogueFilters(
        query=query,
        types=tuple(data.get("typ") or ()),
        fund_ids=fund_ids,
        place=place,
        age=age,
        condition=data.get("erkrankung") or "",
        online_only=bool(data.get("online")),
        sort=data.get("sortierung") or (Sort.RELEVANCE if query else Sort.NAME),
        restrict_to_person=not data.get("alle"),
    )
    ctx = _person_context(_account_data(request), place, age, on=today)
    # Every match, filtered and ordered in Python over the catalogue memo (a search sorted by
    # relevance is ranked by one query over the matches); the page's rows by primary key.
    ids = catalogue_ids(filters, on=today)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("seite"))
    detail_query = _person_query(place, age)
    labels = _labels()
    rows = [
        ResultRow(p, labels, detail_query, check_eligibility(p, ctx, on=today) if ctx is not None else None, on=today)
        for p in list_rows(list(page.object_list), on=today, eligibility=ctx is not None)
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "person_summary": _person_summary(ctx, today) if ctx is not None else "",
        "hidden_by_person": filters.restrict_to_person and (place is not None or age is not None),
        # The page links are one fragment per page number and count, the query filled in.
        "page_links": lambda: list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "ellipsis": page.paginator.ELLIPSIS,
        "query": query,
        "did_you_mean": _did_you_mean(query),
        "truncated": form.truncated_query if form.is_bound else False,
        "max_query_length": MAX_QUERY_LENGTH,
        "place": place,
        "person": ctx,
        "filters": filters,
        "is_filtered": bool(request.GET) and any(v for k, v in request.GET.items() if k != "seite"),
        "visit_plz": place.code if place is not None else "",
    }
    template = "programs/program_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render_page(request, template, context)


def _did_you_mean(query) -> str:
    """The query with misspelt words replaced by the words searched instead ("" if none)."""
    replaced = corrections(query) if query else {}
    return " ".join(replaced.get(word, word) for word in query.words) if replaced else ""


# --- detail -----------------------------------------------------------------------------------


@cache_anonymous_page(params=tuple(PersonForm.base_fields))
def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    today = timezone.localdate()
    program = program_for_detail(slug, on=today)
    if program is None:
        raise Http404("No such program")
    form = PersonForm(request.GET if ("plz" in request.GET or "alter" in request.GET) else None)
    if form.is_bound:
        form.is_valid()
    data = getattr(form, "cleaned_data", {}) if form.is_bound else {}
    place = _resolve_form_place(form) if data.get("plz") else None
    account = _account_data(request)
    ctx = _person_context(account, place, data.get("alter"), on=today)
    eligibility = check_eligibility(program, ctx, on=today) if ctx is not None else None

    contracts = program.current_contracts
    if ctx is not None and ctx.fund_id is not None:
        # The person's fund first: that is the contract they would join.
        contracts = sorted(contracts, key=lambda c: c.fund_id != ctx.fund_id)
    person_lands = sorted(ctx.land_codes) if ctx is not None else []

    def policies() -> list[dict]:  # called by the template only when its fragment is not memoised
        return [
            {"contracts": group, "items": contract_policy(group[0], today=today, lands=person_lands)}
            for group in _group_by_policy(contracts)
        ]

    nearby = None
    origin = None
    code = place.code if place is not None else (ctx.postal_code if ctx is not None else "")
    # Where the program does not apply (region, fund), practices hundreds of kilometres away
    # would only mislead: the page says why instead of listing them.
    out_of_area = [
        r for r in (eligibility.reasons if eligibility else []) if r.code in (ReasonCode.REGION, ReasonCode.FUND)
    ]
    if code and not out_of_area:
        origin = postal_code_centroid(code)
        if origin is not None:
            nearby = nearby_providers(
                origin=origin, contract_ids=[c.pk for c in contracts], on=today, page_size=NEARBY_COUNT
            )
    answers = (
        program_answers(request.user, program, data=account, on=today, self_eligibility=eligibility)
        if account is not None and account.own is not None
        else []
    )
    own_answer = next((a for a in answers if a.is_self), None)
    if answers:
        can_declare_online = program.online_enrollment and any(a.possible for a in answers)
    else:
        can_declare_online = program.online_enrollment and not (eligibility and eligibility.reasons)
    context = {
        "program": program,
        "form": form,
        "person": ctx,
        "place": place,
        "visit_plz": place.code if place is not None else "",
        "eligibility": eligibility,
        "own_answer": own_answer,
        "others": [a for a in answers if not a.is_self],
        "can_declare_online": can_declare_online,
        "policies": policies,
        # what the terms section depends on besides the catalogue: the day, the Länder whose
        # holidays count, the order of the contracts (the person's fund first)
        "policies_key": (program.pk, today, tuple(person_lands), tuple(c.pk for c in contracts)),
        "region_text": region_text(program),
        "prerequisites": list(program.prerequisites.all()),
        "excludes": exclusions_for(program, ctx, on=today),
        "required_by": list(program.required_by.all()),
        "nearby": nearby,
        "nearby_code": code,
        "out_of_area": out_of_area,
        "today": today,  # the key of the fragments that show current contracts
    }
    return render_page(request, "programs/program_detail.html", context)


def _group_by_policy(contracts: list) -> list[list]:
    """Contracts with the same enrollment policy, so identical rules are explained once."""
    groups: dict[tuple, list] = {}
    for c in contracts:
        key = (
            c.revocation_days, c.binding_months, c.renewal_months, c.notice_months, c.notice_days,
            c.notice_counts, c.start_rule, c.quarter_cutoff_day, c.quarter_cutoff_months_before,
        )  # fmt: skip
        groups.setdefault(key, []).append(c)
    return list(groups.values())


# --- deadline calculator ----------------------------------------------------------------------


@cache_anonymous_page(params=tuple(DeadlineCalculatorForm.base_fields))
def deadline_calculator(request: HttpRequest) -> HttpResponse:
    """ "Bis wann kann ich widerrufen?" — the revocation deadline with every shifted day."""
    funds = funds_list()
    form = DeadlineCalculatorForm(request.GET or None, funds=funds)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        fund = next((f for f in funds if f.slug == data.get("kasse")), None)
        lands = deadlines.holiday_lands(data["land"], fund_seat_land=fund.seat_land_id if fund is not None else None)
        declared = data["erklaerung"]
        instructed = data.get("belehrung") or declared
        deadline = deadlines.revocation_deadline(declared_on=declared, instructed_on=instructed, lands=lands)
        result = {
            "deadline": deadline,
            "declared": declared,
            "instructed": instructed,
            "instructed_later": instructed > declared,
            "instructed_earlier": instructed < declared,
            "lands": deadline.lands,
            "land_names": [land_name(code) for code in deadline.lands],
            "fund": fund,
            "start_text": weekday_date(deadline.start),
            "raw_text": weekday_date(deadline.raw_last_day),
            "last_text": weekday_date(deadline.last_day),
            "shift_texts": shift_texts(deadline.shifts),
        }
    return render_page(request, "programs/deadline_calculator.html", {"form": form, "result": result})
