"""A contract's enrollment policy in plain words, with example dates from today.

All dates come from ``programs.terms.deadlines`` and ``programs.terms.schedule`` (the modules
the enrollment computes with), so the catalogue never promises a date the enrollment would
compute differently; ``start_rule_text`` is the one wording of the start rule, also on the
enrollment's pages and receipt. Nothing here touches the database; ``contract.fund`` and
``contract.program`` should be loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext

from programs.dates import short_date, weekday_date
from programs.models import Contract, NoticeCounts, ProgramType
from programs.terms import deadlines
from programs.terms.deadlines import StartRule
from programs.terms.schedule import start_for


def months_text(n: int) -> str:
    if n and n % 12 == 0:
        years = n // 12
        return ngettext("%(n)s Jahr", "%(n)s Jahre", years) % {"n": years}
    return ngettext("%(n)s Monat", "%(n)s Monate", n) % {"n": n}


@dataclass(frozen=True)
class PolicyItem:
    """One rule: a heading, the rule in words and an example with real dates."""

    key: str
    title: str
    text: str
    example: str = ""
    details: list[str] = field(default_factory=list)


def shift_texts(shifts: Iterable[deadlines.Shift]) -> list[str]:
    return [
        gettext("%(day)s ist kein Werktag (%(reason)s), die Frist verschiebt sich.")
        % {"day": weekday_date(s.day), "reason": s.text}
        for s in shifts
    ]


def start_rule_text(contract: Contract) -> str:
    """The contract's start rule in plain words, without dates (the one wording: catalogue,
    declaration wizard, status page and receipt)."""
    if contract.program.program_type == ProgramType.DMP:
        return gettext(
            "Ein DMP beginnt erst, wenn Ihre behandelnde Ärztin oder Ihr behandelnder Arzt die Diagnose bestätigt "
            "und die erste Dokumentation geschickt hat."
        )
    rule = contract.start_rule
    if rule == StartRule.NEXT_DAY or (rule == StartRule.AFTER_REVOCATION and contract.revocation_days is None):
        # Without a revocation period, "after the revocation period" is the next day.
        return gettext("Die Teilnahme beginnt am Tag nach dem Eingang Ihrer Erklärung bei der Krankenkasse.")
    if rule == StartRule.AFTER_REVOCATION:
        return gettext("Die Teilnahme beginnt am Tag nach dem Ende der Widerrufsfrist.")
    return gettext(
        "Die Teilnahme beginnt am ersten Tag eines Quartals (1. Januar, 1. April, 1. Juli oder "
        "1. Oktober). Stichtag ist der %(day)s. Tag des Monats %(months)s vor Quartalsbeginn."
    ) % {
        "day": contract.quarter_cutoff_day,
        "months": months_text(contract.quarter_cutoff_months_before)
        if contract.quarter_cutoff_months_before
        else gettext("(im selben Monat)"),
    }


def contract_policy(contract: Contract, *, today: dt.date, lands: Iterable[str] = ()) -> list[PolicyItem]:
    """Revocation, start, binding and notice of `contract`, each with an example from `today`."""
    items: list[PolicyItem] = []
    program = contract.program
    lands = deadlines.holiday_lands(tuple(lands), fund_seat_land=contract.fund.seat_land_id)

    # Revocation
    revocation = None
    if contract.revocation_days is None:
        items.append(
            PolicyItem(
                "revocation",
                gettext("Widerruf"),
                gettext("Sie können Ihre Einwilligung jederzeit widerrufen, ohne Frist und ohne Begründung."),
            )
        )
    else:
        revocation = deadlines.revocation_deadline(
            declared_on=today, instructed_on=today, lands=lands, days=max(1, contract.revocation_days)
        )
        days = contract.revocation_days
        example = gettext(
            "Beispiel: Erklärung und Widerrufsbelehrung heute, %(today)s – Widerruf bis einschließlich %(last)s."
        ) % {"today": weekday_date(today), "last": weekday_date(revocation.last_day)}
        items.append(
            PolicyItem(
                "revocation",
                gettext("Widerruf"),
                ngettext(
                    "Sie können Ihre Teilnahme innerhalb von %(n)s Tag ohne Begründung widerrufen.",
                    "Sie können Ihre Teilnahme innerhalb von %(n)s Tagen ohne Begründung widerrufen.",
                    days,
                )
                % {"n": days}
                + " "
                + gettext(
                    "Die Frist beginnt, wenn Sie die Erklärung abgegeben und die Widerrufsbelehrung erhalten "
                    "haben; dieser Tag zählt nicht mit. Endet sie an einem Samstag, Sonntag oder Feiertag, "
                    "gilt der nächste Werktag. Es genügt, den Widerruf rechtzeitig abzusenden – schriftlich, "
                    "elektronisch oder zur Niederschrift bei Ihrer Krankenkasse."
                ),
                example,
                shift_texts(revocation.shifts),
            )
        )

    # Start
    start = start_for(contract, declared_on=today, revocation=revocation)
    if program.program_type == ProgramType.DMP:
        # The start follows the doctor's confirmation: no date to promise (the enrollment computes none).
        items.append(PolicyItem("start", gettext("Beginn der Teilnahme"), start_rule_text(contract)))
    else:
        start_text = start_rule_text(contract)
        if contract.start_rule == StartRule.NEXT_QUARTER:
            cutoff = deadlines.quarter_cutoff(
                start, months_before=contract.quarter_cutoff_months_before, day=contract.quarter_cutoff_day
            )
            start_text += " " + gettext(
                "Für den Beginn am %(quarter)s muss Ihre Erklärung bis zum %(cutoff)s eingegangen sein."
            ) % {"quarter": short_date(start), "cutoff": short_date(cutoff)}
        items.append(
            PolicyItem(
                "start",
                gettext("Beginn der Teilnahme"),
                start_text,
                gettext("Beispiel: Geht Ihre Erklärung heute (%(today)s) ein, beginnt die Teilnahme am %(start)s.")
                % {"today": short_date(today), "start": weekday_date(start)},
            )
        )

    # Binding
    if contract.binding_months:
        binding_end = deadlines.binding_end(start, contract.binding_months)
        text = gettext("Sie sind %(period)s ab Beginn an die Teilnahme gebunden.") % {
            "period": months_text(contract.binding_months)
        }
        if program.program_type == ProgramType.HZV:
            text += " " + gettext(
                "In dieser Zeit bleiben Sie auch bei Ihrer gewählten Hausarztpraxis; wechseln können Sie "
                "nur aus wichtigem Grund, zum Beispiel nach einem Umzug."
            )
        items.append(
            PolicyItem(
                "binding",
                gettext("Bindung"),
                text,
                gettext("Beispiel: Beginn am %(start)s – gebunden bis einschließlich %(end)s.")
                % {"start": short_date(start), "end": short_date(binding_end)},
            )
        )
    else:
        binding_end = None
        items.append(PolicyItem("binding", gettext("Bindung"), gettext("Es gibt keine Mindestdauer der Teilnahme.")))

    # Renewal and notice
    if binding_end is not None:
        counts = (
            gettext("der Eingang bei Ihrer Krankenkasse")
            if contract.notice_counts == NoticeCounts.RECEIPT
            else gettext("das Absenden")
        )
        notice_parts = []
        if contract.notice_months:
            notice_parts.append(months_text(contract.notice_months))
        if contract.notice_days:
            notice_parts.append(ngettext("%(n)s Tag", "%(n)s Tage", contract.notice_days) % {"n": contract.notice_days})
        notice = gettext(" und ").join(notice_parts)
        cancel_by = deadlines.notice_deadline(
            binding_end, notice_months=contract.notice_months, notice_days=contract.notice_days
        )
        if contract.renewal_months:
            text = gettext("Danach verlängert sich die Teilnahme jeweils um %(renewal)s, wenn Sie nicht kündigen.") % {
                "renewal": months_text(contract.renewal_months)
            }
        else:
            text = gettext("Die Teilnahme endet mit dem Ende der Bindung; sie verlängert sich nicht.")
        if notice:
            text += " " + gettext(
                "Kündigungsfrist: %(notice)s vor dem Ende des Zeitraums; maßgeblich ist %(counts)s. "
                "Fällt der letzte Tag auf ein Wochenende oder einen Feiertag, verschiebt er sich nicht."
            ) % {"notice": notice, "counts": counts}
        example = (
            gettext("Beispiel: Zum %(end)s kündigen Sie spätestens am %(by)s.")
            % {"end": short_date(binding_end), "by": weekday_date(cancel_by)}
            if contract.renewal_months
            else ""
        )
        items.append(PolicyItem("notice", gettext("Verlängerung und Kündigung"), text, example))
    return items
