"""Activation letters: the code only in the stored PDF, superseded/revoked/expired codes refused,
batches as one PDF with a page per letter."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from enrollment.accounts import letters, services
from enrollment.models import ActivationCode, ActivationLetter, ActivationLetterBatch, LetterAlreadyIssued
from programs.models import Gemeinde, Kreis
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
CODE_RE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b")


def pages_of(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def code_in(text: str) -> str:
    found = CODE_RE.findall(text)
    assert len(found) == 1, text
    return found[0]


def register(person, code: str, now=NOW, email=None):
    return services.account_register(
        kvnr=person.kvnr,
        birth_date=person.birth_date,
        code=code,
        email=email or f"{person.kvnr.lower()}@example.org",
        password="ein-langes-Passwort-2026",
        now=now,
    )


def letter_code(letter: ActivationLetter) -> str:
    return code_in(pages_of(letters.read_verified(letter))[0])


def test_a_letter_is_stored_with_its_checksum_and_holds_address_sender_and_code(clara, aoks):
    letter = letters.activation_letter_issue(person=clara, issued_by=None, now=NOW, base_url="https://portal.test")
    pdf = letters.read_verified(letter)
    [text] = pages_of(pdf)
    assert "Clara Schmidt" in text and clara.street in text and "70173 Stuttgart" in text
    assert "AOK Baden-Württemberg" in text
    assert "https://portal.test/konto/registrieren/" in text
    assert "31.05.2026" in text  # 90 days
    code = code_in(text)
    assert letter.code.code_hash == services.activation_code_hash(code)
    assert code not in letter.code.code_hash and letter.size == len(pdf)
    assert register(clara, code).created


def test_the_plaintext_code_is_not_in_the_database_nor_in_the_log(clara, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    letter = letters.activation_letter_issue(person=clara, issued_by=None, now=NOW)
    code = letter_code(letter)
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("enrollment_activationcode", "enrollment_activationletter"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 — fixed table names
            dump = repr(cursor.fetchall())
            assert code not in dump and code.replace("-", "") not in dump
    assert code not in caplog.text and code.replace("-", "") not in caplog.text


def test_a_new_letter_supersedes_the_older_code_which_stays_on_record(clara):
    first = letters.activation_letter_issue(person=clara, issued_by=None, now=NOW)
    second = letters.activation_letter_issue(person=clara, issued_by=None, now=NOW + dt.timedelta(days=1))
    old = ActivationCode.objects.get(pk=first.code.pk)
    assert old.superseded_at == NOW + dt.timedelta(days=1)
    assert old.state_on(NOW + dt.timedelta(days=2)) == ActivationCode.State.SUPERSEDED
    assert ActivationCode.objects.filter(person=clara).count() == 2
    with pytest.raises(services.RegistrationFailed):
        register(clara, letter_code(first), now=NOW + dt.timedelta(days=2))
    assert register(clara, letter_code(second), now=NOW + dt.timedelta(days=2)).created


def test_a_revoked_code_cannot_be_redeemed(clara):
    clerk = UserFactory(is_staff=True)
    letter = letters.activation_letter_issue(person=clara, issued_by=None, now=NOW)
    code = services.activation_code_revoke(code=letter.code, by=clerk, now=NOW + dt.timedelta(hours=1))
    assert code.revoked_by == clerk and code.state_on(NOW) == ActivationCode.State.REVOKED
    with pytest.raises(services.RegistrationFailed):
        register(clara, letter_code(letter), now=NOW + dt.timedelta(hours=2))
    with pytest.raises(services.CodeNotRevocable):
        services.activation_code_revoke(code=code, by=clerk, now=NOW + dt.timedelta(hours=3))


def test_an_expired_code_cannot_be_redeemed_nor_revoked(clara):
    letter = letters.activation_letter_issue(person=clara, issued_by=None, now=NOW)
    later = letter.code.expires_at
    with pytest.raises(services.RegistrationFailed):
        register(clara, letter_code(letter), now=later)
    with pytest.raises(services.CodeNotRevocable):
        services.activation_code_revoke(code=letter.code, by=None, now=later)


def test_a_used_code_cannot_be_revoked_or_superseded(clara):
    letter = letters.activation_letter_issue(person=clara, issued_by=None, now=NOW)
    register(clara, letter_code(letter))
    with pytest.raises(services.CodeNotRevocable):
        services.activation_code_revoke(code=letter.code, by=None, now=NOW)
    with pytest.raises(services.PersonAlreadyRegistered):
        letters.activation_letter_issue(person=clara, issued_by=None, now=NOW)


def test_the_database_keeps_one_open_code_per_person_and_one_end_per_code(clara):
    from django.db import IntegrityError, transaction

    letter = letters.activation_letter_issue(person=clara, issued_by=None, now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivationCode.objects.create(
            person=clara, code_hash="x" * 64, created_at=NOW, expires_at=NOW + dt.timedelta(days=1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivationCode.objects.filter(pk=letter.code.pk).update(superseded_at=NOW, revoked_at=NOW)


def test_an_issued_letter_never_changes(clara):
    letter = letters.activation_letter_issue(person=clara, issued_by=None, now=NOW)
    with pytest.raises(LetterAlreadyIssued):
        letter.save()


# --------------------------------------------------------------------------- batches


@pytest.fixture
def kreis(aoks):
    kreis = Kreis.objects.create(key="08111", name="Stuttgart, Stadtkreis", land_id="BW")
    Gemeinde.objects.create(ags="08111000", name="Stuttgart", kreis=kreis)
    other = Kreis.objects.create(key="08115", name="Böblingen", land_id="BW")
    Gemeinde.objects.create(ags="08115003", name="Böblingen", kreis=other)
    return kreis


def test_a_batch_issues_one_letter_per_member_of_the_kreis_without_account(
    aoks, kreis, django_capture_on_commit_callbacks
):
    bw, plus = aoks["aok-bw"], aoks["aok-plus"]
    members = [
        InsuredPersonFactory(fund=bw, user=None, gemeinde_id="08111000", postal_code=f"7017{i}") for i in range(5)
    ]
    InsuredPersonFactory(fund=bw, gemeinde_id="08111000")  # has an account
    InsuredPersonFactory(fund=bw, user=None, gemeinde_id="08115003")  # another Kreis
    InsuredPersonFactory(fund=plus, user=None, gemeinde_id="08111000")  # another fund
    clerk = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        batch = letters.activation_letter_batch_create(
            fund=bw, kreis=kreis, created_by=clerk, now=NOW, base_url="https://portal.test"
        )
    batch.refresh_from_db()
    assert batch.status == ActivationLetterBatch.Status.DONE
    assert (batch.total, batch.done, batch.pages) == (5, 5, 5)
    assert "08111" in batch.selection
    pages = pages_of(letters.read_verified(batch))
    assert len(pages) == len(members)
    for person, text in zip(sorted(members, key=lambda p: p.postal_code), pages, strict=True):
        assert f"{person.first_name} {person.last_name}" in text and person.street in text
        assert person.postal_code in text and person.kvnr in text
        assert register(person, code_in(text), now=batch.started_at + dt.timedelta(minutes=1)).created
    assert ActivationLetter.objects.filter(batch=batch).count() == 5


def test_a_batch_supersedes_older_letters_and_a_finished_batch_is_not_run_again(aoks, kreis):
    person = InsuredPersonFactory(fund=aoks["aok-bw"], user=None, gemeinde_id="08111000")
    single = letters.activation_letter_issue(person=person, issued_by=None, now=NOW)
    batch = letters.activation_letter_batch_create(fund=aoks["aok-bw"], kreis=kreis, created_by=None, now=NOW)
    batch = letters.activation_letter_batch_run(batch=batch, now=NOW + dt.timedelta(minutes=1))
    assert ActivationCode.objects.get(pk=single.code.pk).superseded_at is not None
    with pytest.raises(letters.BatchNotStartable):
        letters.activation_letter_batch_run(batch=batch, now=NOW + dt.timedelta(minutes=2))


def test_a_batch_of_chosen_persons_keeps_to_the_fund(aoks):
    own = InsuredPersonFactory(fund=aoks["aok-bw"], user=None)
    foreign = InsuredPersonFactory(fund=aoks["aok-plus"], user=None, land_id="SN", postal_code="01067")
    batch = letters.activation_letter_batch_create(
        fund=aoks["aok-bw"], persons=[own, foreign], created_by=None, now=NOW
    )
    batch = letters.activation_letter_batch_run(batch=batch, now=NOW)
    [text] = pages_of(letters.read_verified(batch))
    assert own.kvnr in text and foreign.kvnr not in text
    assert not ActivationCode.objects.filter(person=foreign).exists()


def test_a_failed_batch_revokes_the_codes_it_issued_and_can_run_again(aoks, kreis, monkeypatch):
    InsuredPersonFactory(fund=aoks["aok-bw"], user=None, gemeinde_id="08111000")
    batch = letters.activation_letter_batch_create(fund=aoks["aok-bw"], kreis=kreis, created_by=None, now=NOW)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(letters, "render_letters", broken)
    with pytest.raises(OSError):
        letters.activation_letter_batch_run(batch=batch, now=NOW)
    batch.refresh_from_db()
    assert batch.status == ActivationLetterBatch.Status.FAILED and "OSError" in batch.error
    [code] = ActivationCode.objects.all()
    assert code.revoked_at == NOW
    monkeypatch.undo()
    batch = letters.activation_letter_batch_run(batch=batch, now=NOW + dt.timedelta(hours=1))
    assert batch.status == ActivationLetterBatch.Status.DONE and batch.pages == 1
    assert ActivationCode.objects.filter(revoked_at__isnull=True, superseded_at__isnull=True).count() == 1


def _positions(pdf: bytes) -> dict[str, tuple[float, float, float]]:
    """text → (x mm from the left, baseline y mm from the top, font size pt) on the first page."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    height = float(page.mediabox.height)
    found: dict[str, tuple[float, float, float]] = {}

    def visit(text, cm, tm, _font, size):
        if text.strip():
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            mm = 25.4 / 72
            found.setdefault(text.strip(), (x * mm, (height - y) * mm, size * cm[0] * tm[0]))

    page.extract_text(visitor_text=visit)
    return found


def test_the_letter_follows_din_5008_form_b(clara, aoks):
    fund = aoks["aok-bw"]
    fund.postal_address = "Musterstraße 1, 70173 Stuttgart"
    fund.save(update_fields=["postal_address"])
    clara.refresh_from_db()
    letter = letters.activation_letter_issue(person=clara, issued_by=None, now=NOW)
    pdf = letters.read_verified(letter)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (
        round(float(page.mediabox.width) * 25.4 / 72) == 210 and round(float(page.mediabox.height) * 25.4 / 72) == 297
    )
    at = _positions(pdf)
    window_left, window_right, window_top, window_bottom = 20, 105, 45, 90
    sender = next(key for key in at if key.startswith("AOK Baden-Württemberg · Musterstraße 1"))
    x, y, size = at[sender]
    assert window_left <= x < window_right and window_top < y <= window_top + 17.7 and size <= 8
    for line in ("Clara Schmidt", clara.street, "70173 Stuttgart"):
        x, y, _size = at[line]
        assert window_left <= x < window_right and window_top + 17.7 < y <= window_bottom, line
    x, y, _size = at[clara.kvnr]  # information block
    assert x >= 125 and y < 98.5
    code = next(key for key in at if CODE_RE.fullmatch(key))
    assert at[code][1] > 98.5 and at[code][2] >= 20  # below the fold-out zone, in large letters
