"""`manage.py enrollment_daily`: activates, ends, renews, reminds — idempotent, --dry-run writes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from enrollment import services
from enrollment.lifecycle import Status
from enrollment.models import Channel, EventReason, ParticipationEvent
from tests.fixtures.enrollment import at, declare, event_row

pytestmark = pytest.mark.django_db


def daily(day: str, *args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("enrollment_daily", "--date", day, *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_daily_moves_through_window_start_and_is_idempotent(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    out = daily("2027-01-04")
    assert "nichts zu tun" in out
    out = daily("2027-01-05")
    assert "Widerrufsfrist abgelaufen: 1" in out
    p.refresh_from_db()
    assert p.status == Status.AWAITING_START
    assert event_row(p) == (
        Status.SUBMITTED,
        Status.AWAITING_START,
        EventReason.REVOCATION_PERIOD_OVER,
        None,
        Channel.SYSTEM,
    )
    events = ParticipationEvent.objects.count()
    assert "nichts zu tun" in daily("2027-01-05")
    assert ParticipationEvent.objects.count() == events
    assert "begonnen: 1" in daily("2027-04-01")
    p.refresh_from_db()
    assert p.status == Status.ACTIVE
    assert event_row(p) == (Status.AWAITING_START, Status.ACTIVE, EventReason.STARTED, None, Channel.SYSTEM)


def test_daily_dry_run_writes_nothing_and_sends_nothing(
    hzv, gp, person, mailoutbox, django_capture_on_commit_callbacks
):
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    events = ParticipationEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        out = daily("2027-04-01", "--dry-run")
    assert callbacks == []
    assert "[Probelauf]" in out and "begonnen: 1" in out and "Widerrufsfrist abgelaufen: 1" in out
    p.refresh_from_db()
    assert p.status == Status.SUBMITTED
    assert ParticipationEvent.objects.count() == events
    assert mailoutbox == []


def test_daily_reminds_six_weeks_before_cancellation_deadline_once(
    hzv, gp, person, mailoutbox, django_capture_on_commit_callbacks
):
    person.user.email = "erika@example.org"
    person.user.save()
    p = declare(hzv, person, gp, now=at(2026, 1, 15))
    daily("2026-04-01")  # window over, started
    mailoutbox.clear()
    assert p.cancel_by == dt.date(2027, 2, 28)
    assert "Erinnerung" not in daily("2027-01-16")  # 43 days before
    with django_capture_on_commit_callbacks(execute=True):
        out = daily("2027-01-17")  # 42 days = 6 weeks before
    assert "Erinnerung: 1" in out
    assert len(mailoutbox) == 1 and "28.02.2027" in mailoutbox[0].body
    assert hzv.program.title not in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert "Erinnerung" not in daily("2027-01-18")
    assert len(mailoutbox) == 1
    assert p.events.filter(reason_code=EventReason.REMINDER_SENT).count() == 1
    assert event_row(p) == (Status.ACTIVE, Status.ACTIVE, EventReason.REMINDER_SENT, None, Channel.SYSTEM)


def test_daily_renews_after_cancellation_deadline_then_reminds_again_next_year(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 1, 15))
    daily("2026-04-01")
    assert "verlängert: 1" in daily("2027-03-01")
    p.refresh_from_db()
    assert (p.term_end, p.cancel_by) == (dt.date(2028, 3, 31), dt.date(2028, 2, 29))
    assert event_row(p) == (Status.ACTIVE, Status.ACTIVE, EventReason.RENEWED, None, Channel.SYSTEM)
    assert "Erinnerung: 1" in daily("2028-01-18")


def test_daily_ends_cancelled_participation_after_its_last_day(bv, person):
    p = declare(bv, person, now=at(2026, 5, 4))
    daily("2026-05-05")
    p.refresh_from_db()
    assert p.status == Status.ACTIVE  # started inside the revocation window
    services.participation_cancel(participation=p, actor=person.user, now=at(2026, 6, 1))
    assert "beendet" not in daily("2027-05-04")
    assert "beendet: 1" in daily("2027-05-05")
    p.refresh_from_db()
    assert (p.status, p.end_date) == (Status.ENDED, dt.date(2027, 5, 4))
    assert event_row(p) == (Status.ENDING, Status.ENDED, EventReason.ENDED, None, Channel.SYSTEM)


def test_daily_ends_term_without_renewal(aoks, person):
    from tests.factories import ContractFactory, ProgramFactory

    contract = ContractFactory(program=ProgramFactory(), start_rule="next_day", renewal_months=0, binding_months=6)
    p = declare(contract, person, now=at(2026, 5, 4))
    daily("2026-05-05")
    assert "Erinnerung" not in daily("2026-10-01")
    assert "Laufzeit abgelaufen: 1" in daily("2026-11-05")
    p.refresh_from_db()
    assert (p.status, p.end_date, p.end_reason) == (Status.ENDED, dt.date(2026, 11, 4), "term_expired")
    assert event_row(p) == (Status.ACTIVE, Status.ENDED, EventReason.TERM_EXPIRED, None, Channel.SYSTEM)


def test_daily_applies_approved_doctor_change(hzv, gp, second_gp, person):
    p = declare(hzv, person, gp, now=at(2026, 1, 15))
    daily("2026-04-01")
    services.participation_request_doctor_change(
        participation=p, actor=person.user, new_provider=second_gp, now=at(2027, 4, 10)
    )
    assert "Arztwechsel" not in daily("2027-06-30")
    assert "Arztwechsel wirksam: 1" in daily("2027-07-01")
    p.refresh_from_db()
    assert p.provider == second_gp
    assert event_row(p) == (Status.ACTIVE, Status.ACTIVE, EventReason.DOCTOR_CHANGED, None, Channel.SYSTEM)


def test_daily_rejects_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("enrollment_daily", "--date", "01.04.2027", stdout=StringIO())


def test_daily_output_names_no_person(hzv, gp, person):
    """The daily run's output lands in the system journal: participation numbers only, never a
    KVNR or a name (personal data stays out of logs)."""
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    out = daily("2027-04-01")
    assert f"#{p.pk}" in out
    assert person.kvnr not in out and person.last_name not in out
