"""Reads of participations: who may see which, the dashboard, providers to choose, the timeline.

Invariant: every participation a view shows is fetched with the allowed persons in the
filter (`persons_for_user`: the user's own record and the persons they legally represent
today); anything else is a 404, never a 403.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from enrollment.lifecycle import Status
from enrollment.models import (
    CancellationRequest,
    DoctorChangeRequest,
    EventReason,
    InsuredPerson,
    Participation,
    ParticipationEvent,
    RequestDecision,
)
from enrollment.selectors import persons_for_user
from programs.models import Contract, ProgramType
from programs.terms.policy import start_rule_text
from providers.models import Provider, ProviderKind


def participations_for_user(user, *, on: dt.date | None = None) -> QuerySet[Participation]:
    """Participations of every person the user may act for (no data of anybody else)."""
    person_ids = [p.pk for p in persons_for_user(user, on_date=on)] if getattr(user, "is_authenticated", False) else []
    return Participation.objects.filter(person_id__in=person_ids).select_related(
        "person", "contract__program", "contract__fund", "provider", "signer"
    )


def participation_for_user_or_404(user, pk: int) -> Participation:
    participation = participations_for_user(user).filter(pk=pk).first()
    if participation is None:
        raise Http404("No such participation")
    return participation


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
    for participation in (
        Participation.objects.filter(person_id__in=list(by_person))
        .select_related("contract__program", "provider")
        .order_by("-declared_at", "-pk")
    ):
        participation.state_label = participation.display_state_label(now=now)
        by_person[participation.person_id].append(participation)
    return [
        PersonParticipations(person=p, is_self=p.user_id == user.pk, participations=by_person[p.pk]) for p in persons
    ]


def events_of(participation: Participation) -> list[ParticipationEvent]:
    return list(participation.events.select_related("actor").order_by("at", "pk"))


def pending_requests(participation: Participation) -> tuple[list[DoctorChangeRequest], list[CancellationRequest]]:
    doctor = list(
        DoctorChangeRequest.objects.filter(participation=participation)
        .filter(Q(decision=RequestDecision.PENDING) | Q(decision=RequestDecision.APPROVED, applied_at__isnull=True))
        .select_related("new_provider")
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
    return [(hit.provider, hit.distance_km) for hit in page.hits]


# --- timeline -------------------------------------------------------------------------------------


@dataclass
class TimelineStep:
    """One step of the status page: `state` is "done", "current" or "upcoming"."""

    title: str
    when: str
    text: str = ""
    state: str = "upcoming"


def _d(day: dt.date | None) -> str:
    return formats.date_format(day, "l, d.m.Y") if day else ""


def _dt(value: dt.datetime | None) -> str:
    return formats.date_format(timezone.localtime(value), "d.m.Y, H:i") if value else ""


def timeline(participation: Participation, *, now: dt.datetime) -> list[TimelineStep]:
    """declared → revocation window → (doctor) → start → binding → cancellation/renewal → end,
    each with its date and reason; derived from the stored dates and the status."""
    p = participation
    today = timezone.localdate(now)
    steps: list[TimelineStep] = []
    closed_void = p.status in (Status.REVOKED, Status.REJECTED)

    signer = _("von der gesetzlichen Vertretung (%(name)s)") % {"name": p.signer} if p.signer_id else _("selbst")
    steps.append(
        TimelineStep(
            _("Erklärung abgegeben"),
            _dt(p.declared_at),
            _("Weg: %(channel)s; unterschrieben %(signer)s.") % {"channel": p.get_channel_display(), "signer": signer},
            "done",
        )
    )

    if p.is_dmp:
        if p.doctor_confirmed_at:
            steps.append(
                TimelineStep(
                    _("Ärztliche Bestätigung"),
                    _dt(p.doctor_confirmed_at),
                    _("Die behandelnde Praxis hat die Diagnose bestätigt."),
                    "done",
                )
            )
        elif not closed_void:
            steps.append(
                TimelineStep(
                    _("Ärztliche Bestätigung"),
                    _("ausstehend"),
                    _(
                        "Ohne Bestätigung der behandelnden Ärztin oder des behandelnden Arztes "
                        "(mit Erstdokumentation) beginnt kein DMP."
                    ),
                    "current",
                )
            )
        steps.append(
            TimelineStep(
                _("Widerruf der Einwilligung"),
                _("jederzeit"),
                _("Im DMP können Sie Ihre Einwilligung jederzeit ohne Frist widerrufen."),
                "done" if closed_void else "upcoming",
            )
        )
    elif p.revocation_deadline is None:
        steps.append(
            TimelineStep(
                _("Widerrufsfrist"),
                _("noch nicht begonnen"),
                _(
                    "Die Frist beginnt erst mit der Belehrung über das Widerrufsrecht; bis dahin können "
                    "Sie jederzeit widerrufen."
                ),
                "current" if p.is_open else "done",
            )
        )
    else:
        detail = p.revocation_deadline_detail()
        shifted = ""
        if detail and detail.shifts:
            shifted = " " + _(
                "Verschoben nach § 193 BGB, weil das rechnerische Fristende (%(raw)s) auf einen "
                "Samstag, Sonntag oder Feiertag fiel: %(why)s."
            ) % {
                "raw": formats.date_format(detail.raw_last_day, "d.m.Y"),
                "why": "; ".join(f"{formats.date_format(s.day, 'd.m.')} {s.text}" for s in detail.shifts),
            }
        open_now = p.can_revoke(now=now)
        if p.status == Status.REVOKED:
            state, text = (
                "done",
                _("Widerrufen am %(when)s – die Teilnahme ist damit von Anfang an unwirksam.")
                % {"when": _dt(p.revoked_at)},
            )
        elif open_now:
            days = p.revocation_days_left(now=now)
            if days == 0:
                left = _("Heute ist der letzte Tag.")
            else:
                left = _("Noch %(days)s Tage.") % {"days": days} if days != 1 else _("Noch 1 Tag.")
            state, text = "current", _("Sie können ohne Angabe von Gründen widerrufen. %(left)s") % {"left": left}
        else:
            state, text = "done", _("Die Widerrufsfrist ist abgelaufen.")
        steps.append(
            TimelineStep(
                _("Widerrufsfrist"),
                _("bis einschließlich %(day)s, 24:00 Uhr") % {"day": _d(p.revocation_deadline)},
                text + shifted,
                state,
            )
        )

    if closed_void:
        if p.status == Status.REJECTED:
            rejected = p.events.filter(reason_code=EventReason.REJECTED).order_by("-at").first()
            steps.append(TimelineStep(_("Abgelehnt"), _dt(p.rejected_at), rejected.text if rejected else "", "done"))
        return steps

    if p.start_date:
        started = p.status in (Status.ACTIVE, Status.ENDING, Status.ENDED)
        steps.append(
            TimelineStep(
                _("Teilnahme ab") if started else _("Beginn der Teilnahme"),
                _d(p.start_date),
                start_rule_text(p.contract),
                "done" if started else ("current" if not p.can_revoke(now=now) or p.is_dmp else "upcoming"),
            )
        )
    elif not p.is_dmp:
        steps.append(TimelineStep(_("Beginn der Teilnahme"), _("steht noch nicht fest"), start_rule_text(p.contract)))

    if p.binding_end:
        steps.append(
            TimelineStep(
                _("Gebunden bis"),
                _d(p.binding_end),
                _(
                    "Mindestens so lange sind Sie an die Teilnahme und die gewählte Praxis gebunden; ein Praxiswechsel ist "
                    "in dieser Zeit nur aus wichtigem Grund möglich."
                ),
                "done" if today > p.binding_end else ("current" if p.status == Status.ACTIVE else "upcoming"),
            )
        )
    if p.status in (Status.ACTIVE, Status.AWAITING_START, Status.SUBMITTED) and p.cancel_by:
        c = p.contract
        if c.renewal_months:
            text = _(
                "Kündigung muss bis zu diesem Tag eingehen, dann endet die Teilnahme am %(end)s. Sonst verlängert "
                "sie sich um %(months)s Monate. Die Frist verschiebt sich nicht auf den nächsten Werktag."
            ) % {"end": formats.date_format(p.term_end, "d.m.Y"), "months": c.renewal_months}
        else:
            text = _("Die Teilnahme endet ohne Verlängerung am %(end)s.") % {
                "end": formats.date_format(p.term_end, "d.m.Y")
            }
        steps.append(
            TimelineStep(_("Nächster Kündigungstermin"), _("Eingang bis %(day)s") % {"day": _d(p.cancel_by)}, text)
        )
    if p.status in (Status.ENDING, Status.ENDED):
        reason = EventReason(p.end_reason).label if p.end_reason in EventReason.values else ""
        steps.append(
            TimelineStep(
                _("Teilnahme endet am") if p.status == Status.ENDING else _("Teilnahme beendet am"),
                _d(p.end_date),
                _("Grund: %(reason)s") % {"reason": reason} if reason else "",
                "done" if p.status == Status.ENDED else "current",
            )
        )
    return steps
