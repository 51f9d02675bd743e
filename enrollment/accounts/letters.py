"""Activation letters: the code printed in a DIN 5008 letter (Form B, window envelope DL).

Invariants:
- The plaintext code lives only in memory between `activation_code_issue` and the PDF; it is
  never stored in the database, never logged, never shown on a page. The stored PDF (with its
  SHA-256) is the only place it appears.
- A letter issued singly is a tagged PDF (PDF/UA-1) of one page, stored as `ActivationLetter.file`.
- A batch renders all letters of its selection into one PDF (one page per letter, untagged: it
  goes to the print shop). Letters are issued and rendered in chunks; each chunk's codes and
  letter rows commit before the chunk is rendered (the database is not held while WeasyPrint
  works), and `done` counts the persons so far. If a batch fails, the codes it issued never
  reached a stored PDF: they are revoked at once, and the batch can be started again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from enrollment.accounts.services import PersonAlreadyRegistered, activation_code_issue
from enrollment.models import ActivationCode, ActivationLetter, ActivationLetterBatch, InsuredPerson
from enrollment.receipts import PdfRenderer
from programs.terms.deadlines import BERLIN

logger = logging.getLogger(__name__)

#: Letters per WeasyPrint run in a batch: big enough to amortise the setup, small enough to keep
#: memory flat and the progress moving.
CHUNK_SIZE = 250


class LetterError(Exception):
    pass


class BatchNotStartable(LetterError):
    pass


# --------------------------------------------------------------------------- layout


#: DIN 5008 Form B on A4 (all measures from the top left corner of the sheet): address field
#: 20 mm from the left, 45 mm from the top, 85 × 45 mm, of which the upper 17.7 mm hold the
#: return address and notes and the lower 27.3 mm the recipient; information block from 125 mm;
#: text from 25 mm to 20 mm before the right edge, starting below the fold-out zone at 98.5 mm;
#: fold marks at 105 and 210 mm, punch mark at 148.5 mm.
LETTER_CSS = """
@page { size: A4; margin: 0; }
body { margin: 0; }
html { font-family: 'Fira Sans', sans-serif; font-size: 10.5pt; line-height: 1.35; color: #000; }
.letter { position: relative; width: 210mm; height: 297mm; overflow: hidden; }
.letter + .letter { break-before: page; }
.head { position: absolute; top: 15mm; left: 125mm; right: 20mm; font-size: 13pt; font-weight: 600; }
.window { position: absolute; top: 45mm; left: 20mm; width: 85mm; height: 45mm; }
.return { position: absolute; top: 0; left: 5mm; right: 0; height: 17.7mm; display: flex;
          flex-direction: column; justify-content: flex-end; }
.return p { margin: 0; font-size: 7pt; line-height: 1.2; text-decoration: underline; white-space: nowrap;
            overflow: hidden; }
.recipient { position: absolute; top: 17.7mm; left: 5mm; right: 0; height: 27.3mm; }
.recipient p { margin: 0; }
.info { position: absolute; top: 50mm; left: 125mm; right: 20mm; font-size: 9pt; }
.info dl { margin: 0; }
.info dt { font-weight: 600; }
.info dd { margin: 0 0 2mm 0; }
.body { position: absolute; top: 98.5mm; left: 25mm; right: 20mm; }
.body h1 { font-size: 11pt; font-weight: 600; margin: 0 0 6mm; }
.body p { margin: 0 0 3mm; }
.body ol { margin: 0 0 3mm; padding-left: 6mm; }
.code { font-size: 24pt; font-weight: 600; letter-spacing: 1.5pt; margin: 4mm 0 1mm; }
.expiry { margin: 0 0 5mm; }
.url { font-weight: 600; }
.foot { position: absolute; bottom: 10mm; left: 25mm; right: 20mm; font-size: 7.5pt; color: #333;
        border-top: 0.5pt solid #999; padding-top: 1.5mm; }
.mark { position: absolute; left: 4mm; width: 5mm; border-top: 0.3pt solid #000; }
.fold1 { top: 105mm; } .fold2 { top: 210mm; } .punch { top: 148.5mm; width: 7mm; }
"""


@dataclass(frozen=True)
class LetterContent:
    person: InsuredPerson
    code: str  # plaintext, formatted — only on its way into the PDF
    expires_at: dt.datetime


def portal_register_url(base_url: str = "") -> str:
    """Where the letter sends people: settings.SITE_URL wins over the request's scheme and host."""
    root = (getattr(settings, "SITE_URL", "") or base_url or "").rstrip("/")
    return root + reverse("accounts:register")


def letters_html(letters: Iterable[LetterContent], *, fund, now: dt.datetime, register_url: str) -> str:
    """One page per letter. Letters are written in German: they go by post to the address the
    fund holds, whatever the language of the clerk's admin session."""
    with override("de"):
        return render_to_string(
            "enrollment/activation_letter_pdf.html",
            {
                "letters": [
                    {
                        "person": item.person,
                        "code": item.code,
                        "expires_at": item.expires_at.astimezone(BERLIN),
                    }
                    for item in letters
                ],
                "fund": fund,
                "date": now.astimezone(BERLIN).date(),
                "register_url": register_url,
            },
        )


def render_letters(
    letters: list[LetterContent], *, fund, now: dt.datetime, register_url: str, tagged: bool, renderer=None
) -> bytes:
    html = letters_html(letters, fund=fund, now=now, register_url=register_url)
    return (renderer or PdfRenderer(LETTER_CSS))(html, tagged=tagged)


# --------------------------------------------------------------------------- a single letter


def activation_letter_issue(
    *, person: InsuredPerson, issued_by, now: dt.datetime, base_url: str = ""
) -> ActivationLetter:
    """A new code for `person` in a stored one-page letter; older open codes are superseded.

    Code, letter row and file belong together: if rendering or storing fails, nothing is kept
    (the transaction rolls back, the file is removed)."""
    register_url = portal_register_url(base_url)
    with transaction.atomic():
        plain, code = activation_code_issue(person=person, issued_by=issued_by, now=now)
        pdf = render_letters(
            [LetterContent(person=person, code=plain, expires_at=code.expires_at)],
            fund=person.fund,
            now=now,
            register_url=register_url,
            tagged=True,
        )
        del plain
        letter = ActivationLetter(code=code, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), issued_at=now)
        letter.file.save(f"aktivierungsbrief-{person.pk}-{code.pk}.pdf", ContentFile(pdf), save=False)
        try:
            letter.save()
        except Exception:
            letter.file.delete(save=False)
            raise
    logger.info("activation letter %s issued for person %s", letter.pk, person.pk)
    return letter


def read_verified(stored) -> bytes:
    """The stored bytes of a letter or a batch, checked against the checksum taken at issue."""
    with stored.file.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise ValueError(f"{stored._meta.label} {stored.pk}: stored file does not match its checksum")
    return data


# --------------------------------------------------------------------------- batches


def kreis_selection(*, fund, kreis):
    """Members of `fund` living in `kreis` (by their Gemeinde) who have no account yet."""
    return InsuredPerson.objects.filter(fund=fund, gemeinde__kreis=kreis, user__isnull=True)


def batch_persons(batch: ActivationLetterBatch):
    if batch.kreis_id:
        qs = kreis_selection(fund=batch.fund, kreis=batch.kreis)
    else:
        qs = InsuredPerson.objects.filter(fund=batch.fund, pk__in=batch.person_ids or [], user__isnull=True)
    # by postal code: the print shop's sort order for cheaper postage
    return qs.select_related("fund").order_by("postal_code", "last_name", "first_name", "pk")


def activation_letter_batch_create(
    *, fund, created_by, now: dt.datetime, kreis=None, persons=None, base_url: str = ""
) -> ActivationLetterBatch:
    """Record a batch for a Kreis or for chosen persons of `fund` and queue it for the worker."""
    if (kreis is None) == (persons is None):
        raise ValueError("a batch is either a Kreis or a list of persons")
    if kreis is not None:
        selection = _("Kreis %(key)s %(name)s: Versicherte ohne Konto") % {"key": kreis.pk, "name": kreis.name}
        person_ids: list[int] = []
    else:
        person_ids = sorted({p.pk for p in persons if p.fund_id == fund.pk})
        selection = _("Auswahl aus der Liste: %(count)d Personen") % {"count": len(person_ids)}
    with transaction.atomic():
        batch = ActivationLetterBatch.objects.create(
            fund=fund,
            kreis=kreis,
            person_ids=person_ids,
            selection=selection[:300],
            portal_url=portal_register_url(base_url)[:200],
            created_by=created_by if getattr(created_by, "pk", None) else None,
            created_at=now,
        )
        batch.total = batch_persons(batch).count()
        ActivationLetterBatch.objects.filter(pk=batch.pk).update(total=batch.total)
        from enrollment.tasks import issue_activation_letter_batch

        transaction.on_commit(lambda: issue_activation_letter_batch.enqueue(batch.pk))
    return batch


def _set(batch: ActivationLetterBatch, **fields) -> None:
    for name, value in fields.items():
        setattr(batch, name, value)
    ActivationLetterBatch.objects.filter(pk=batch.pk).update(**fields)


def activation_letter_batch_run(
    *, batch: ActivationLetterBatch, now: dt.datetime, on_progress: Callable[[int, int], None] | None = None
) -> ActivationLetterBatch:
    """Issue a code for every person of the selection and render all letters into one PDF."""
    from pypdf import PdfReader, PdfWriter

    with transaction.atomic():
        batch = (
            ActivationLetterBatch.objects.select_for_update(of=("self",))
            .select_related("fund", "kreis")
            .get(pk=batch.pk)
        )
        if ActivationLetterBatch.Status.RUNNING not in ActivationLetterBatch.TRANSITIONS[batch.status]:
            raise BatchNotStartable(batch.status)
        persons = list(batch_persons(batch))
        _set(batch, status=ActivationLetterBatch.Status.RUNNING, started_at=now, total=len(persons), done=0, error="")
    started = time.perf_counter()
    try:
        renderer = PdfRenderer(LETTER_CSS)
        writer = PdfWriter()
        done = 0
        for start in range(0, len(persons), CHUNK_SIZE):
            chunk = persons[start : start + CHUNK_SIZE]
            contents: list[LetterContent] = []
            with transaction.atomic():
                for person in chunk:
                    try:
                        plain, code = activation_code_issue(person=person, issued_by=batch.created_by, now=now)
                    except PersonAlreadyRegistered:  # registered since the batch was counted
                        continue
                    ActivationLetter.objects.create(code=code, batch=batch, issued_at=now)
                    contents.append(LetterContent(person=person, code=plain, expires_at=code.expires_at))
            # rendered after the commit: the database is not held for the seconds WeasyPrint takes
            if contents:
                pdf = render_letters(
                    contents, fund=batch.fund, now=now, register_url=batch.portal_url, tagged=False, renderer=renderer
                )
                writer.append(PdfReader(io.BytesIO(pdf)))
            contents.clear()  # drop the plaintext codes as soon as they are on paper
            done += len(chunk)
            _set(batch, done=done)
            if on_progress is not None:
                on_progress(done, len(persons))
        out = io.BytesIO()
        writer.write(out)
        pdf = out.getvalue()
        pages = len(writer.pages)
        batch.file.save(batch.filename, ContentFile(pdf), save=False)
        ActivationLetterBatch.objects.filter(pk=batch.pk).update(
            file=batch.file.name,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            pages=pages,
            status=ActivationLetterBatch.Status.DONE,
            finished_at=now + dt.timedelta(seconds=time.perf_counter() - started),
        )
    except Exception as exc:
        # The codes issued so far never reached a stored PDF: nobody can hold them, so they end here.
        ActivationCode.objects.filter(
            letter__batch=batch, used_at__isnull=True, superseded_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        ActivationLetterBatch.objects.filter(pk=batch.pk).update(
            status=ActivationLetterBatch.Status.FAILED,
            # type and frames only: a message could quote the letter's text
            error=f"{type(exc).__name__}\n\n{''.join(traceback.format_tb(exc.__traceback__, limit=5))}",
            finished_at=now,
        )
        raise
    batch.refresh_from_db()
    logger.info("activation letter batch %s: %s letters, %s pages", batch.pk, batch.done, batch.pages)
    return batch
