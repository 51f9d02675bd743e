"""Accessibility feedback: stored, then mailed to the operator's feedback address on commit."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from legal.models import AccessibilityFeedback, LegalInformation

logger = logging.getLogger(__name__)

#: Feedback a single client may send per hour (the form is public).
FEEDBACK_PER_HOUR = 5


class FeedbackLimitReached(Exception):
    pass


def _limit_key(client_key: str) -> str:
    return f"legal:feedback:{client_key}"


def feedback_submit(
    *, message: str, page_url: str = "", contact_email: str = "", client_key: str
) -> AccessibilityFeedback:
    """Store the feedback and mail it to the operator. The client's address is used only as
    a rate-limit key in the cache; the log names the row, not its contents."""
    key = _limit_key(client_key)
    cache.add(key, 0, 3600)
    if cache.incr(key) > FEEDBACK_PER_HOUR:
        raise FeedbackLimitReached()
    info = LegalInformation.current()
    with transaction.atomic():
        feedback = AccessibilityFeedback.objects.create(
            message=message, page_url=page_url, contact_email=contact_email, mailed_to=info.feedback_email
        )
        if info.feedback_email:
            transaction.on_commit(lambda: _mail(feedback))
    logger.info("accessibility feedback %s received", feedback.pk)
    return feedback


def _mail(feedback: AccessibilityFeedback) -> None:
    body = "\n\n".join(
        part
        for part in (
            _("Über das Formular der Erklärung zur Barrierefreiheit ist eine Rückmeldung eingegangen."),
            _("Seite: %(page)s") % {"page": feedback.page_url or "–"},
            _("Antwort erbeten an: %(email)s") % {"email": feedback.contact_email or "–"},
            feedback.message,
        )
    )
    send_mail(
        subject=_("Rückmeldung zur Barrierefreiheit Nr. %(id)s") % {"id": feedback.pk},
        message=body,
        from_email=None,
        recipient_list=[feedback.mailed_to],
    )
