"""Views of the participation pages (thin: authorize, fetch, validate, call a service, render).

Every participation is fetched through `participation_for_user_or_404` (the user's own and
their represented persons' records only: 404 otherwise). Every state change calls exactly
one service; a refused change (`EnrollmentError`) becomes a form error or a message.
Everything works without JavaScript; htmx only swaps the provider list in place.
"""

from __future__ import annotations

import secrets
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from enrollment import account_memo, documents, ics, selectors, services, timeline
from enrollment.account_memo import RenderedPage
from enrollment.eligibility import eligibility_for
from enrollment.forms import (
    CancelConfirmForm,
    DeclarationForm,
    DoctorChangeForm,
    ImportantReasonForm,
    PersonChoiceForm,
    PostalCodeSearchForm,
    ProviderChoiceForm,
    RevokeConfirmForm,
)
from enrollment.lifecycle import EnrollmentError
from enrollment.models import Channel, Participation, SignerKind
from enrollment.representation import voice_for
from programs import dates
from programs.eligibility import attach_rules
from programs.models import Program, ProgramType
from programs.terms.schedule import participation_schedule

WIZARD_STEPS = ("person", "praxis", "erklaerung")


def _posted(request: HttpRequest):
    """The POST data for a bound form (also when empty), None on GET."""
    return request.POST if request.method == "POST" else None


def _base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


#: Session: wizard token → program id. The wizard's URLs carry the token, never the program:
#: a path such as /teilnahme/erklaeren/dmp-depression/ would put a diagnosis into every
#: access log line next to the client address.
WIZARD_TOKENS = "enrollment-wizard-tokens"


def _session_key(token: str) -> str:
    return f"enrollment-wizard:{token}"


def _step_url(token: str, step: str) -> str:
    return f"{reverse('enrollment:declare', kwargs={'token': token})}?schritt={step}"


def _wizard_token(request: HttpRequest, program: Program) -> str:
    """This session's token for the program's wizard (the same one while it is open)."""
    tokens = request.session.get(WIZARD_TOKENS, {})
    for token, program_id in tokens.items():
        if program_id == program.pk:
            return token
    token = secrets.token_urlsafe(12)
    tokens[token] = program.pk
    request.session[WIZARD_TOKENS] = tokens
    return token


# --- Mein Bereich ----------------------------------------------------------------------------------


def _account_page(request: HttpRequest, template: str, name: str, key: tuple, context_at) -> HttpResponse:
    """`template` with its partials `<name>-title` and `<name>-body` rendered from
    `context_at(now)` once per account version and day (`enrollment.account_memo`), without the
    request; the page around them (messages, CSRF token, nonce) is rendered per request."""
    page = account_memo.memoised_for_account(
        request.user, name, key, lambda now: RenderedPage.of(template, name, context_at(now))
    )
    return render(request, template, {"page": page})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """ "Mein Bereich"."""
    user = request.user
    return _account_page(
        request,
        "enrollment/dashboard.html",
        "dashboard",
        (),
        lambda now: {"groups": selectors.dashboard(user, now=now), "now": now},
    )


# --- the declaration wizard -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def declare_start(request: HttpRequest) -> HttpResponse:
    """The program page's "Online teilnehmen" button: the program travels in the POST body and
    the wizard continues under a random token of this session."""
    if request.method != "POST":
        return redirect("programs:list")
    program = get_object_or_404(Program.objects.filter(is_published=True), slug=request.POST.get("programm", ""))
    return redirect(_step_url(_wizard_token(request, program), "person"))


@login_required
@vary_on_headers("HX-Request")
def declare(request: HttpRequest, token: str) -> HttpResponse:
    """Teilnahmeerklärung in three steps: for whom (with every eligibility reason), provider,
    declaration. State lives in the session; the last form carries the idempotency key."""
    step = request.POST.get("step") or request.GET.get("schritt") or "person"
    if step == "erklaerung" and request.method == "POST":
        # A repeated post of an already processed form leads to the same record, also when the
        # first post has already closed the wizard (its token is gone): a double click, or a
        # retry after the answer was lost on the way. Only the account's own records count.
        done = _already_declared(request, request.POST.get("idempotency_key"))
        if done is not None:
            return redirect("enrollment:detail", pk=done.pk)
    program_id = request.session.get(WIZARD_TOKENS, {}).get(token)
    if program_id is None:
        messages.info(request, _("Bitte beginnen Sie die Erklärung auf der Seite des Programms."))
        return redirect("programs:list")
    program = get_object_or_404(Program.objects.filter(is_published=True), pk=program_id)
    if step not in WIZARD_STEPS:
        step = "person"
    state = request.session.get(_session_key(token), {})
    if step != "person" and not state.get("person"):
        return redirect(_step_url(token, "person"))
    if step == "person":
        return _step_person(request, program, token, state)
    if step == "praxis":
        return _step_provider(request, program, token, state)
    return _step_declaration(request, program, token, state)


def _already_declared(request: HttpRequest, raw_key: str | None) -> Participation | None:
    try:
        key = uuid.UUID(str(raw_key))
    except (TypeError, ValueError):
        return None
    return selectors.participations_for_user(request.user).filter(idempotency_key=key).first()


def _eligibilities(request: HttpRequest, program: Program):
    """Every person's eligibility for the program, once per account version and day (the
    declaration checks against the database again)."""
    user = request.user

    def check(now):
        today = timezone.localdate(now)
        persons = selectors.account_data(user).persons
        return tuple(
            eligibility_for(user=user, person=person, program=program, on=today, from_catalogue=True)
            for person in persons
        )

    return account_memo.memoised_for_account(user, "wizard-person", (program.pk,), check)


def _step_person(request: HttpRequest, program: Program, token: str, state: dict) -> HttpResponse:
    # The step only shows and chooses: the program's rules may come from the catalogue memo.
    # The declaration itself checks against the database again (services.participation_declare).
    attach_rules([program])
    results = _eligibilities(request, program)
    eligible = [r.person for r in results if r.eligible]
    form = PersonChoiceForm(_posted(request), persons=eligible)
    if request.method == "POST" and eligible and form.is_valid():
        person_id = form.cleaned_data["person"]
        request.session[_session_key(token)] = {"person": person_id}
        contract = next(r.contract for r in results if r.person.pk == person_id)
        needs_provider = (
            program.program_type == ProgramType.HZV
            or selectors.participating_providers(contract, on=timezone.localdate()).exists()
        )
        return redirect(_step_url(token, "praxis" if needs_provider else "erklaerung"))
    return render(
        request,
        "enrollment/declare_person.html",
        {
            "program": program,
            "wizard_token": token,
            "results": results,
            "form": form,
            "has_account_person": bool(results),
            "step": 1,
        },
    )


def _wizard_person_and_contract(request: HttpRequest, program: Program, state: dict):
    person = selectors.person_for_user_or_404(request.user, state["person"])
    result = eligibility_for(user=request.user, person=person, program=program, on=timezone.localdate())
    return person, result


def _step_provider(request: HttpRequest, program: Program, token: str, state: dict) -> HttpResponse:
    person, result = _wizard_person_and_contract(request, program, state)
    if not result.eligible:
        return redirect(_step_url(token, "person"))
    search = PostalCodeSearchForm(request.GET or None)
    plz = search.cleaned_data["plz"] if search.is_valid() and search.cleaned_data.get("plz") else person.postal_code
    providers = selectors.providers_near(result.contract, postal_code=plz, on=timezone.localdate())
    required = program.program_type == ProgramType.HZV
    form = ProviderChoiceForm(
        _posted(request),
        providers=providers,
        required=required,
        label=_("Ihre Hausarztpraxis") if required else _("Praxis oder Einrichtung (freiwillig)"),
        initial={"provider": state.get("provider")},
    )
    if request.method == "POST" and form.is_valid():
        state["provider"] = form.cleaned_data["provider"]
        request.session[_session_key(token)] = state
        return redirect(_step_url(token, "erklaerung"))
    context = {
        "program": program,
        "wizard_token": token,
        "person": person,
        "form": form,
        "search": search,
        "plz": plz,
        "providers": providers,
        "required": required,
        "step": 2,
    }
    template = "enrollment/declare_provider.html"
    if request.htmx and request.method == "GET":
        template += "#provider-choice"
    return render(request, template, context)


def _step_declaration(request: HttpRequest, program: Program, token: str, state: dict) -> HttpResponse:
    person, result = _wizard_person_and_contract(request, program, state)
    if not result.eligible:
        if request.method == "POST":
            # A twin post with the same key (second tab, double click) may have committed since
            # the look at the top of `declare`: then this is that declaration, not a refusal.
            done = _already_declared(request, request.POST.get("idempotency_key"))
            if done is not None:
                return redirect("enrollment:detail", pk=done.pk)
        messages.error(request, _("Eine Teilnahme ist nicht (mehr) möglich. Bitte prüfen Sie die Gründe."))
        return redirect(_step_url(token, "person"))
    contract = result.contract
    provider = None
    if state.get("provider"):
        provider = (
            selectors.participating_providers(contract, on=timezone.localdate()).filter(pk=state["provider"]).first()
        )
    if program.program_type == ProgramType.HZV and provider is None:
        return redirect(_step_url(token, "praxis"))
    if not state.get("key"):
        state["key"] = str(uuid.uuid4())
        request.session[_session_key(token)] = state
    voice = voice_for(person, kind=result.representation_kind) if result.signer == SignerKind.REPRESENTATIVE else None
    form = DeclarationForm(_posted(request), initial={"idempotency_key": state["key"]}, voice=voice)
    if request.method == "POST" and form.is_valid():
        try:
            participation = services.participation_declare(
                person=person,
                contract=contract,
                provider=provider,
                actor=request.user,
                consents=form.consents(),
                idempotency_key=form.cleaned_data["idempotency_key"],
                now=timezone.now(),
                channel=Channel.ONLINE,
                base_url=_base_url(request),
            )
        except EnrollmentError as error:
            form.add_error(None, str(error))
        else:
            request.session.pop(_session_key(token), None)
            tokens = request.session.get(WIZARD_TOKENS, {})
            tokens.pop(token, None)
            request.session[WIZARD_TOKENS] = tokens
            messages.success(
                request,
                _("Ihre Erklärung ist eingegangen. Die Empfangsbestätigung können Sie jederzeit herunterladen."),
            )
            return redirect("enrollment:detail", pk=participation.pk)
    today = timezone.localdate()
    schedule = participation_schedule(
        contract=contract,
        person_land=person.land_id,
        fund_seat_land=contract.fund.seat_land_id,
        declared_on=today,
        instructed_on=today,
    )
    return render(
        request,
        "enrollment/declare_confirm.html",
        {
            "program": program,
            "wizard_token": token,
            "person": person,
            "contract": contract,
            "provider": provider,
            "form": form,
            "schedule": schedule,
            "eligibility": result,
            "step": 3,
            "signer_is_representative": result.signer == SignerKind.REPRESENTATIVE,
            "voice": voice,
            "start_rule_text": timeline.start_rule_text(contract),
        },
    )


# --- status page and downloads ------------------------------------------------------------------------


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The status page; a participation the account may not see is a 404 every time."""
    user = request.user
    return _account_page(
        request, "enrollment/detail.html", "status", (pk,), lambda now: _status_context(user, pk, now=now)
    )


def _status_context(user, pk: int, *, now) -> dict:
    today = timezone.localdate(now)
    p = selectors.participation_for_user_or_404(user, pk, on=today)
    doctor_requests, cancel_requests = selectors.pending_requests(p)
    events = selectors.events_of(p)
    return {
        "p": p,
        "now": now,
        "state_label": p.display_state_label(now=now),
        "steps": timeline.timeline(p, now=now),
        "events": events,
        "can_revoke": p.can_revoke(now=now),
        "can_cancel": p.can_cancel(now=now) and not p.can_revoke(now=now),
        "revocation_over": p.revocation_period_over(now=now),
        "days_left": p.revocation_days_left(now=now),
        "term": p.cancellation_term(on=today),
        "doctor_requests": doctor_requests,
        "cancel_requests": cancel_requests,
        "confirmations": selectors.confirmations_of(events),
        "can_change_doctor": p.can_request_doctor_change() and not doctor_requests,
        # While a revocation is possible the page offers that instead.
        "can_request_extraordinary": p.can_request_extraordinary_cancellation()
        and not cancel_requests
        and not p.can_revoke(now=now),
    }


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt as issued with the declaration (stored once, never re-rendered)."""
    p = selectors.participation_for_user_or_404(request.user, pk)
    return _document_response(documents.receipt_for(p))


@login_required
def document(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """A confirmation (revocation, cancellation, doctor change) as issued."""
    p = selectors.participation_for_user_or_404(request.user, pk)
    issued = p.documents.filter(pk=document_id).first()
    if issued is None:
        raise Http404("No such document")
    return _document_response(issued)


def _document_response(issued) -> HttpResponse:
    response = HttpResponse(documents.read_verified(issued), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{issued.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Document-SHA256"] = issued.sha256
    return response


@login_required
def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.participation_for_user_or_404(request.user, pk)
    link = request.build_absolute_uri(reverse("enrollment:detail", kwargs={"pk": p.pk}))
    body = ics.participation_ics(p, now=timezone.now(), link=link, host=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fristen-{p.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- actions --------------------------------------------------------------------------------------------


@login_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The consequences first, then the revocation on confirmation (like the cancellation).
    A stale or repeated POST after the deadline is refused with the reason."""
    p = selectors.participation_for_user_or_404(request.user, pk)
    now = timezone.now()
    form = RevokeConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_revoke(
                participation=p, actor=request.user, now=now, channel=Channel.ONLINE, base_url=_base_url(request)
            )
        except EnrollmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Ihr Widerruf ist eingegangen. Die Teilnahme ist damit unwirksam."))
        return redirect("enrollment:detail", pk=p.pk)
    return render(
        request,
        "enrollment/revoke.html",
        {
            "p": p,
            "form": form,
            "can_revoke": p.can_revoke(now=now),
            "revocation_over": p.revocation_period_over(now=now),
        },
    )


@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the end date a cancellation today would give, then cancel on confirmation."""
    p = selectors.participation_for_user_or_404(request.user, pk)
    now = timezone.now()
    term = p.cancellation_term(on=timezone.localdate(now)) if p.can_cancel(now=now) else None
    form = CancelConfirmForm(_posted(request))
    if request.method == "POST" and term is not None and form.is_valid():
        try:
            services.participation_cancel(
                participation=p, actor=request.user, now=now, channel=Channel.ONLINE, base_url=_base_url(request)
            )
        except EnrollmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Ihre Kündigung ist eingegangen."))
            return redirect("enrollment:detail", pk=p.pk)
    return render(
        request,
        "enrollment/cancel.html",
        {"p": p, "term": term, "form": form, "can_revoke": p.can_revoke(now=now), "now": now},
    )


@login_required
def cancel_extraordinary(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.participation_for_user_or_404(request.user, pk)
    _doctor_requests, cancel_requests = selectors.pending_requests(p)
    refusal = _extraordinary_refusal(p, pending=bool(cancel_requests))
    form = ImportantReasonForm(_posted(request))
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            services.participation_request_extraordinary_cancellation(
                participation=p,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                reason_text=form.cleaned_data["reason_text"],
                now=timezone.now(),
            )
        except EnrollmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Ihr Antrag ist eingegangen. Ihre Krankenkasse entscheidet und informiert Sie.")
            )
            return redirect("enrollment:detail", pk=p.pk)
    return render(request, "enrollment/cancel_extraordinary.html", {"p": p, "form": form, "refusal": refusal})


def _extraordinary_refusal(p: Participation, *, pending: bool) -> str | None:
    """Why the form is not offered, said before it (None: the request is possible)."""
    if pending:
        return _(
            "Ihr Antrag auf Kündigung aus wichtigem Grund liegt Ihrer Krankenkasse bereits vor. Sie entscheidet und informiert Sie; ein zweiter Antrag ist nicht nötig."
        )
    if not p.can_request_extraordinary_cancellation():
        return _("Für diese Teilnahme ist eine Kündigung aus wichtigem Grund nicht möglich (Status: %(status)s).") % {
            "status": p.get_status_display()
        }
    return None


def _doctor_change_refusal(p: Participation, *, pending: bool) -> str | None:
    if pending:
        return _(
            "Ein Praxiswechsel ist bereits beantragt oder vorgemerkt. Sobald er erledigt ist, können Sie erneut wechseln."
        )
    if not p.can_request_doctor_change():
        return _("Für diese Teilnahme ist kein Praxiswechsel möglich (Status: %(status)s).") % {
            "status": p.get_status_display()
        }
    return None


@login_required
@vary_on_headers("HX-Request")
def doctor_change(request: HttpRequest, pk: int) -> HttpResponse:
    p = selectors.participation_for_user_or_404(request.user, pk)
    if p.provider_id is None or p.is_dmp:
        raise Http404("No doctor to change")
    doctor_requests, _cancel_requests = selectors.pending_requests(p)
    refusal = _doctor_change_refusal(p, pending=bool(doctor_requests))
    if refusal is not None:
        return render(request, "enrollment/doctor_change.html", {"p": p, "refusal": refusal})
    now = timezone.now()
    today = timezone.localdate(now)
    needs_reason = p.doctor_change_needs_reason(on=today)
    search = PostalCodeSearchForm(request.GET or None)
    plz = search.cleaned_data["plz"] if search.is_valid() and search.cleaned_data.get("plz") else p.person.postal_code
    providers = [
        (prov, d)
        for prov, d in selectors.providers_near(p.contract, postal_code=plz, on=today)
        if prov.pk != p.provider_id
    ]
    form = DoctorChangeForm(_posted(request), providers=providers, needs_reason=needs_reason)
    if request.method == "POST" and form.is_valid():
        new_provider = next(prov for prov, _d in providers if prov.pk == form.cleaned_data["provider"])
        try:
            req = services.participation_request_doctor_change(
                participation=p,
                actor=request.user,
                new_provider=new_provider,
                now=now,
                reason=form.cleaned_data.get("reason", ""),
                reason_text=form.cleaned_data.get("reason_text", ""),
                base_url=_base_url(request),
            )
        except EnrollmentError as error:
            form.add_error(None, str(error))
        else:
            if req.effective_date:
                messages.success(
                    request,
                    _("Der Wechsel ist vorgemerkt und wird am %(date)s wirksam.")
                    % {"date": dates.short_date(req.effective_date)},
                )
            else:
                messages.success(request, _("Ihr Antrag ist eingegangen. Ihre Krankenkasse prüft den wichtigen Grund."))
            return redirect("enrollment:detail", pk=p.pk)
    template = "enrollment/doctor_change.html"
    if request.htmx and request.method == "GET":
        template += "#provider-choice"
    return render(
        request,
        template,
        {
            "p": p,
            "form": form,
            "search": search,
            "plz": plz,
            "needs_reason": needs_reason,
            "providers": providers,
            "effective_hint": services.doctor_change_effective_date(p, on=today) if not needs_reason else None,
        },
    )
