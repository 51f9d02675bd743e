"""Emails about participations. Called only from `transaction.on_commit` in the services.

Invariant: no health data in any email. A program name can reveal a diagnosis (a DMP for
depression, a cancer program), so the mails name neither program, provider nor status
details — only that something arrived or is due, a date where needed, and a link to the
signed-in status page.

Recipients: the account that acted, and the person's own account (or, for a person without
an account, the accounts of their legal representatives).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from programs import dates

logger = logging.getLogger(__name__)


def _link(path: str, base_url: str = "") -> str:
    root = (getattr(settings, "SITE_URL", "") or base_url or "").rstrip("/")
    return f"{root}{path}"


def _recipients(participation, *, actor_id: int | None = None) -> list[str]:
    from django.contrib.auth import get_user_model

    from enrollment.representation import representatives_of

    emails: list[str] = []
    person = participation.person
    if actor_id is not None:
        actor = get_user_model().objects.filter(pk=actor_id).first()
        if actor is not None and actor.email:
            emails.append(actor.email)
    if person.user_id is not None and person.user.email:
        emails.append(person.user.email)
    else:
        from django.utils import timezone

        for rep in representatives_of(person, on_date=timezone.localdate()):
            if rep.user_id is not None and rep.user.email:
                emails.append(rep.user.email)
    return list(dict.fromkeys(emails))


def _participation(pk: int):
    from enrollment.models import Participation

    return Participation.objects.select_related("person__user").filter(pk=pk).first()


def _send(subject: str, body: str, recipients: list[str]) -> None:
    if not recipients:
        return
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # the state change is committed; a mail failure must not undo it
        logger.exception("Sending the enrollment mail %r failed", subject)


def _detail(pk: int, base_url: str) -> str:
    return _link(reverse("enrollment:detail", kwargs={"pk": pk}), base_url)


def declaration_received(pk: int, *, actor_id: int | None, base_url: str = "") -> None:
    p = _participation(pk)
    if p is None:
        return
    with override(settings.LANGUAGE_CODE):
        subject = _("Ihre Erklärung ist eingegangen")
        body = _(
            "Guten Tag,\n\nIhre Erklärung ist bei uns eingegangen. Alle Angaben, Ihre Fristen und die "
            "Empfangsbestätigung finden Sie nach der Anmeldung hier:\n\n%(link)s\n\n"
            "Aus Datenschutzgründen enthält diese E-Mail keine weiteren Angaben.\n\nIhr Versorgungslotse"
        ) % {"link": _detail(pk, base_url)}
    _send(subject, body, _recipients(p, actor_id=actor_id))


def representatives_informed(pk: int, representative_ids: list[int], *, base_url: str = "") -> None:
    """§ 36 SGB I: a minor from the self-declaration age declared alone; tell the representatives."""
    from enrollment.models import InsuredPerson

    reps = InsuredPerson.objects.filter(pk__in=representative_ids, user__isnull=False).select_related("user")
    emails = [r.user.email for r in reps if r.user.email]
    with override(settings.LANGUAGE_CODE):
        subject = _("Information: Erklärung einer von Ihnen vertretenen Person")
        body = _(
            "Guten Tag,\n\neine Person, die Sie gesetzlich vertreten, hat selbst eine Erklärung abgegeben. "
            "Sie können sie nach der Anmeldung einsehen:\n\n%(link)s\n\nIhr Versorgungslotse"
        ) % {"link": _detail(pk, base_url)}
    _send(subject, body, emails)


def revocation_received(pk: int, *, actor_id: int | None, base_url: str = "") -> None:
    p = _participation(pk)
    if p is None:
        return
    with override(settings.LANGUAGE_CODE):
        subject = _("Ihr Widerruf ist eingegangen")
        body = _(
            "Guten Tag,\n\nIhr Widerruf ist bei uns eingegangen. Die Einzelheiten finden Sie nach der Anmeldung hier:"
            "\n\n%(link)s\n\nIhr Versorgungslotse"
        ) % {"link": _detail(pk, base_url)}
    _send(subject, body, _recipients(p, actor_id=actor_id))


def cancellation_received(pk: int, *, actor_id: int | None, base_url: str = "") -> None:
    p = _participation(pk)
    if p is None:
        return
    with override(settings.LANGUAGE_CODE):
        subject = _("Ihre Kündigung ist eingegangen")
        body = _(
            "Guten Tag,\n\nIhre Kündigung ist bei uns eingegangen. Das Ende und alle Einzelheiten finden Sie "
            "nach der Anmeldung hier:\n\n%(link)s\n\nIhr Versorgungslotse"
        ) % {"link": _detail(pk, base_url)}
    _send(subject, body, _recipients(p, actor_id=actor_id))


def doctor_change_received(pk: int, *, actor_id: int | None, effective: str = "", base_url: str = "") -> None:
    """The request for another practice is on record: approved at once after the binding (with
    the day it takes effect), or waiting for the fund's decision during it."""
    p = _participation(pk)
    if p is None:
        return
    with override(settings.LANGUAGE_CODE):
        subject = _("Ihr Arztwechsel ist eingegangen")
        if effective:
            news = _("Der Wechsel der Praxis ist bestätigt und gilt ab dem %(date)s.") % {"date": effective}
        else:
            news = _(
                "Der Wechsel der Praxis ist beantragt; Ihre Krankenkasse entscheidet darüber und wir informieren Sie."
            )
        body = _(
            "Guten Tag,\n\n%(news)s Die Einzelheiten finden Sie nach der Anmeldung hier:\n\n%(link)s\n\nIhr Versorgungslotse"
        ) % {"news": news, "link": _detail(pk, base_url)}
    _send(subject, body, _recipients(p, actor_id=actor_id))


def status_changed(pk: int, *, base_url: str = "") -> None:
    p = _participation(pk)
    if p is None:
        return
    with override(settings.LANGUAGE_CODE):
        subject = _("Neuigkeiten zu Ihrer Teilnahme")
        body = _(
            "Guten Tag,\n\nes gibt Neuigkeiten zu einer Ihrer Erklärungen. Bitte melden Sie sich an:\n\n%(link)s"
            "\n\nIhr Versorgungslotse"
        ) % {"link": _detail(pk, base_url)}
    _send(subject, body, _recipients(p))


def cancellation_reminder(pk: int, *, base_url: str = "") -> None:
    p = _participation(pk)
    if p is None or p.cancel_by is None:
        return
    with override(settings.LANGUAGE_CODE):
        subject = _("Erinnerung: Frist für eine Kündigung")
        body = _(
            "Guten Tag,\n\nwenn Sie eine Ihrer Teilnahmen beenden möchten, muss Ihre Kündigung bis zum "
            "%(date)s bei uns eingehen. Andernfalls verlängert sie sich. Einzelheiten nach der Anmeldung:"
            "\n\n%(link)s\n\nIhr Versorgungslotse"
        ) % {"date": dates.short_date(p.cancel_by), "link": _detail(pk, base_url)}
    _send(subject, body, _recipients(p))
