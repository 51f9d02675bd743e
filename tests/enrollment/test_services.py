"""Services of the participation lifecycle: worked examples of DOMAIN.md through the services,
every allowed transition, a sample of forbidden ones, the 24:00 boundary, idempotency."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from enrollment import services
from enrollment.lifecycle import TRANSITIONS, EnrollmentError, Status, TransitionNotAllowed, ensure_transition
from enrollment.models import Channel, EventReason, Participation, ParticipationEvent
from tests.factories import InsuredPersonFactory
from tests.fixtures.enrollment import ALL_CONSENTS, at, declare, event_row, event_rows

pytestmark = pytest.mark.django_db


def last_event(p: Participation) -> ParticipationEvent:
    return p.events.order_by("-at", "-pk").first()


# --- worked examples of DOMAIN.md §3, through the services -----------------------------------


def test_declare_saturday_before_new_year_deadline_moves_to_monday(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19, 10))
    assert p.revocation_deadline == dt.date(2027, 1, 4)
    assert p.status == Status.SUBMITTED
    # Declared after the 1 Nov cut-off: not 1 Jan but 1 Apr 2027; one year binding.
    assert p.start_date == dt.date(2027, 4, 1)
    assert p.binding_end == dt.date(2028, 3, 31)
    assert p.cancel_by == dt.date(2028, 2, 29)  # leap year, no § 193 shift
    assert p.holiday_lands == "BW"
    assert event_rows(p) == [("", Status.SUBMITTED, EventReason.DECLARED, person.user, Channel.ONLINE)]


def test_declare_friday_before_easter_deadline_moves_to_tuesday(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2027, 3, 12, 9))
    detail = p.revocation_deadline_detail()
    assert p.revocation_deadline == dt.date(2027, 3, 30)
    assert detail.raw_last_day == dt.date(2027, 3, 26)
    assert [s.day for s in detail.shifts] == [dt.date(2027, 3, d) for d in (26, 27, 28, 29)]


def test_declare_counts_holidays_of_the_insured_land(aoks, hzv, gp):
    # Reformationstag 31.10.2025 (Friday) is a holiday in Saxony, not in Baden-Württemberg.
    in_bw = InsuredPersonFactory()
    in_sn = InsuredPersonFactory(land_id="SN", postal_code="01067", city="Dresden")
    assert declare(hzv, in_bw, gp, now=at(2025, 10, 17, 12)).revocation_deadline == dt.date(2025, 10, 31)
    p = declare(hzv, in_sn, gp, now=at(2025, 10, 17, 12))
    assert p.revocation_deadline == dt.date(2025, 11, 3)
    assert p.holiday_lands == "SN,BW"


def test_declare_counts_holidays_of_the_fund_seat(aoks):
    from tests.factories import ContractFactory, ContractParticipationFactory, ProgramFactory, ProviderFactory

    contract = ContractFactory(program=ProgramFactory(program_type="hzv"), fund=aoks["aok-plus"], start_rule="next_day")
    gp = ProviderFactory()
    ContractParticipationFactory(provider=gp, contract=contract)
    person = InsuredPersonFactory(fund=aoks["aok-plus"])  # lives in BW, fund seated in Saxony
    p = declare(contract, person, gp, now=at(2025, 10, 17, 12))
    assert p.revocation_deadline == dt.date(2025, 11, 3)


def test_cancel_notice_deadline_is_not_moved_off_a_sunday(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 1, 15))
    assert (p.start_date, p.binding_end, p.cancel_by) == (
        dt.date(2026, 4, 1),
        dt.date(2027, 3, 31),
        dt.date(2027, 2, 28),
    )
    services.participation_close_revocation_period(participation=p, now=at(2026, 2, 1))
    services.participation_start(participation=p, now=at(2026, 4, 1, 0, 5))
    # Received on Sunday 28.02.2027, 23:00: still in time for the end on 31.03.2027.
    term = p.cancellation_term(on=dt.date(2027, 2, 28))
    assert term.term_end == dt.date(2027, 3, 31)
    p = services.participation_cancel(participation=p, actor=person.user, now=at(2027, 2, 28, 23))
    assert p.status == Status.ENDING
    assert p.end_date == dt.date(2027, 3, 31)
    assert event_row(p) == (Status.ACTIVE, Status.ENDING, EventReason.CANCELLED, person.user, Channel.ONLINE)


def test_cancel_one_day_late_ends_after_the_renewal(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 1, 15))
    services.participation_close_revocation_period(participation=p, now=at(2026, 2, 1))
    services.participation_start(participation=p, now=at(2026, 4, 1))
    p = services.participation_cancel(participation=p, actor=person.user, now=at(2027, 3, 1, 0, 0, 30))
    assert p.end_date == dt.date(2028, 3, 31)
    assert event_row(p) == (Status.ACTIVE, Status.ENDING, EventReason.CANCELLED, person.user, Channel.ONLINE)


# --- revocation: 23:59:59 vs 00:00 Europe/Berlin -------------------------------------------------


def test_revoke_at_235959_on_the_last_day_is_in_time(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19, 10))
    p = services.participation_revoke(participation=p, actor=person.user, now=at(2027, 1, 4, 23, 59, 59))
    assert p.status == Status.REVOKED
    assert p.revoked_at == at(2027, 1, 4, 23, 59, 59)
    event = last_event(p)
    assert (event.from_status, event.to_status, event.reason_code) == (
        Status.SUBMITTED,
        Status.REVOKED,
        EventReason.REVOKED,
    )
    assert (event.actor, event.channel, event.at) == (person.user, Channel.ONLINE, at(2027, 1, 4, 23, 59, 59))


def test_revoke_at_midnight_after_the_last_day_is_too_late(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19, 10))
    with pytest.raises(services.RevocationPeriodOver, match=r"04\.01\.2027 um 24:00 Uhr"):
        services.participation_revoke(participation=p, actor=person.user, now=at(2027, 1, 5, 0, 0, 0))
    p.refresh_from_db()
    assert p.status == Status.SUBMITTED
    assert p.events.count() == 1


def test_revoke_midnight_boundary_in_utc_terms(hzv, gp, person):
    """23:30 UTC on 04.01. is already 00:30 on 05.01. in Berlin: too late."""
    p = declare(hzv, person, gp, now=at(2026, 12, 19, 10))
    late = dt.datetime(2027, 1, 4, 23, 30, tzinfo=dt.UTC)
    with pytest.raises(services.RevocationPeriodOver):
        services.participation_revoke(participation=p, actor=person.user, now=late)
    in_time = dt.datetime(2027, 1, 4, 22, 59, 59, tzinfo=dt.UTC)
    assert services.participation_revoke(participation=p, actor=person.user, now=in_time).status == Status.REVOKED
    assert event_rows(p)[1:] == [
        (Status.SUBMITTED, Status.REVOKED, EventReason.REVOKED, person.user, Channel.ONLINE)
    ]  # the late attempt wrote nothing


def test_revoke_dispatch_time_counts_not_arrival(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19, 10))
    p = services.participation_revoke(
        participation=p, actor=None, now=at(2027, 1, 7, 9), dispatched_at=at(2027, 1, 4, 18), channel=Channel.STAFF
    )
    assert p.status == Status.REVOKED
    assert p.revoked_at == at(2027, 1, 4, 18)
    assert event_row(p) == (Status.SUBMITTED, Status.REVOKED, EventReason.REVOKED, None, Channel.STAFF)


def test_revoke_without_belehrung_is_always_in_time(hzv, gp, person, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(
        hzv,
        person,
        gp,
        actor=staff,
        consents={"data_transfer": True},
        now=at(2026, 3, 1),
        channel=Channel.PRACTICE,
        declared_at=at(2026, 2, 2),
    )
    assert p.revocation_deadline is None and p.instructed_at is None
    assert p.can_revoke(now=at(2027, 1, 1))
    assert event_row(p) == ("", Status.SUBMITTED, EventReason.DECLARED, staff, Channel.PRACTICE)
    assert services.participation_revoke(participation=p, actor=None, now=at(2026, 6, 1)).status == Status.REVOKED
    assert event_row(p) == (Status.SUBMITTED, Status.REVOKED, EventReason.REVOKED, None, Channel.ONLINE)


def test_record_instruction_starts_the_revocation_period(hzv, gp, person, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(
        hzv,
        person,
        gp,
        actor=staff,
        consents={"data_transfer": True},
        now=at(2027, 3, 1),
        channel=Channel.PRACTICE,
        declared_at=at(2027, 2, 26),
    )
    p = services.participation_record_instruction(
        participation=p, actor=staff, instructed_at=at(2027, 3, 12), method="letter", now=at(2027, 3, 12, 15)
    )
    assert p.revocation_deadline == dt.date(2027, 3, 30)
    assert last_event(p).reason_code == EventReason.INSTRUCTED
    assert event_row(p) == (Status.SUBMITTED, Status.SUBMITTED, EventReason.INSTRUCTED, staff, Channel.STAFF)


# --- every allowed transition writes an event --------------------------------------------------


def test_transition_submitted_to_awaiting_start_after_window(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    with pytest.raises(EnrollmentError):
        services.participation_close_revocation_period(participation=p, now=at(2027, 1, 4, 23, 59))
    p = services.participation_close_revocation_period(participation=p, now=at(2027, 1, 5, 0, 0))
    assert p.status == Status.AWAITING_START
    assert last_event(p).reason_code == EventReason.REVOCATION_PERIOD_OVER
    assert event_rows(p)[1:] == [
        (Status.SUBMITTED, Status.AWAITING_START, EventReason.REVOCATION_PERIOD_OVER, None, Channel.SYSTEM)
    ]  # the early attempt wrote nothing


def test_transition_awaiting_start_to_active_on_start_date(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    services.participation_close_revocation_period(participation=p, now=at(2027, 1, 5))
    with pytest.raises(EnrollmentError, match="01.04.2027"):
        services.participation_start(participation=p, now=at(2027, 3, 31, 23, 59))
    p = services.participation_start(participation=p, now=at(2027, 4, 1, 0, 1))
    assert p.status == Status.ACTIVE
    event = last_event(p)
    assert (event.from_status, event.to_status, event.reason_code) == (
        Status.AWAITING_START,
        Status.ACTIVE,
        EventReason.STARTED,
    )
    assert (event.actor, event.channel) == (None, Channel.SYSTEM)
    assert len(event_rows(p)) == 3  # the early attempt wrote nothing


def test_transition_submitted_to_active_when_start_precedes_window_end(bv, person):
    p = declare(bv, person, None, now=at(2026, 5, 4))
    assert p.start_date == dt.date(2026, 5, 5) and p.revocation_deadline == dt.date(2026, 5, 18)
    p = services.participation_start(participation=p, now=at(2026, 5, 5, 8))
    assert p.status == Status.ACTIVE
    assert p.display_state(now=at(2026, 5, 6)) == "in_revocation_period"
    assert event_row(p) == (Status.SUBMITTED, Status.ACTIVE, EventReason.STARTED, None, Channel.SYSTEM)
    # Revoking an active participation within the window voids it.
    p = services.participation_revoke(participation=p, actor=person.user, now=at(2026, 5, 18, 22))
    assert p.status == Status.REVOKED
    assert [e.to_status for e in p.events.order_by("at", "pk")] == [Status.SUBMITTED, Status.ACTIVE, Status.REVOKED]
    assert event_row(p) == (Status.ACTIVE, Status.REVOKED, EventReason.REVOKED, person.user, Channel.ONLINE)


def test_transition_awaiting_start_to_ending_by_cancellation(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    services.participation_close_revocation_period(participation=p, now=at(2027, 1, 5))
    p = services.participation_cancel(participation=p, actor=person.user, now=at(2027, 2, 1))
    assert (p.status, p.end_date) == (Status.ENDING, dt.date(2028, 3, 31))
    assert last_event(p).reason_code == EventReason.CANCELLED
    assert event_row(p) == (
        Status.AWAITING_START,
        Status.ENDING,
        EventReason.CANCELLED,
        person.user,
        Channel.ONLINE,
    )


def test_transition_ending_to_ended_after_end_date(bv, person):
    p = declare(bv, person, None, now=at(2026, 5, 4))
    services.participation_start(participation=p, now=at(2026, 5, 5))
    p = services.participation_cancel(participation=p, actor=person.user, now=at(2026, 6, 1))
    assert p.end_date == dt.date(2027, 5, 4)
    with pytest.raises(EnrollmentError):
        services.participation_end(participation=p, now=at(2027, 5, 4, 23))
    p = services.participation_end(participation=p, now=at(2027, 5, 5, 1))
    assert p.status == Status.ENDED
    assert last_event(p).from_status == Status.ENDING
    assert event_row(p) == (Status.ENDING, Status.ENDED, EventReason.ENDED, None, Channel.SYSTEM)
    assert len(event_rows(p)) == 4  # the early attempt wrote nothing


def test_transition_active_to_ended_by_staff(bv, person, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(bv, person, None, now=at(2026, 5, 4))
    services.participation_start(participation=p, now=at(2026, 5, 5))
    p = services.participation_end(
        participation=p,
        now=at(2026, 9, 1),
        actor=staff,
        end_date=dt.date(2026, 8, 31),
        text="Umzug ins Ausland",
        channel=Channel.STAFF,
    )
    assert (p.status, p.end_date) == (Status.ENDED, dt.date(2026, 8, 31))
    assert last_event(p).actor == staff
    assert event_row(p) == (Status.ACTIVE, Status.ENDED, EventReason.ENDED, staff, Channel.STAFF)
    assert last_event(p).text == "Umzug ins Ausland"


def test_transitions_dmp_request_confirm_start_and_withdraw(dmp, person, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(dmp, person, None, now=at(2026, 5, 4))
    assert p.status == Status.AWAITING_DOCTOR
    assert p.revocation_deadline is None and p.start_date is None and p.binding_end is None
    with pytest.raises(TransitionNotAllowed):
        services.participation_start(participation=p, now=at(2026, 5, 10))
    p = services.participation_confirm_doctor(
        participation=p, actor=staff, confirmed_at=at(2026, 5, 20), now=at(2026, 5, 21)
    )
    assert (p.status, p.start_date) == (Status.AWAITING_START, dt.date(2026, 5, 21))
    assert event_row(p) == (
        Status.AWAITING_DOCTOR,
        Status.AWAITING_START,
        EventReason.DOCTOR_CONFIRMED,
        staff,
        Channel.STAFF,
    )
    p = services.participation_start(participation=p, now=at(2026, 5, 21, 6))
    assert event_row(p) == (Status.AWAITING_START, Status.ACTIVE, EventReason.STARTED, None, Channel.SYSTEM)
    # Withdrawing consent in an active DMP ends it (not void from the start).
    p = services.participation_revoke(participation=p, actor=person.user, now=at(2026, 7, 1))
    assert (p.status, p.end_date, p.end_reason) == (Status.ENDED, dt.date(2026, 7, 1), EventReason.CONSENT_WITHDRAWN)
    assert event_row(p) == (
        Status.ACTIVE,
        Status.ENDED,
        EventReason.CONSENT_WITHDRAWN,
        person.user,
        Channel.ONLINE,
    )


def test_transition_awaiting_doctor_to_revoked_and_rejected(dmp, person, other_person, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(dmp, person, None, now=at(2026, 5, 4))
    assert (
        services.participation_revoke(participation=p, actor=person.user, now=at(2027, 5, 4)).status == Status.REVOKED
    )
    assert event_row(p) == (Status.AWAITING_DOCTOR, Status.REVOKED, EventReason.REVOKED, person.user, Channel.ONLINE)
    q = declare(dmp, other_person, None, now=at(2026, 5, 4))
    with pytest.raises(EnrollmentError):
        services.participation_reject(participation=q, actor=staff, reason_text=" ", now=at(2026, 8, 1))
    q = services.participation_reject(participation=q, actor=staff, reason_text="Keine Bestätigung", now=at(2026, 8, 1))
    assert q.status == Status.REJECTED and q.rejected_at == at(2026, 8, 1)
    assert last_event(q).text == "Keine Bestätigung"
    assert event_rows(q)[1:] == [
        (Status.AWAITING_DOCTOR, Status.REJECTED, EventReason.REJECTED, staff, Channel.STAFF)
    ]  # the attempt without a reason wrote nothing


def test_transition_dmp_awaiting_start_to_revoked(dmp, person, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(dmp, person, None, now=at(2026, 5, 4))
    services.participation_confirm_doctor(participation=p, actor=staff, confirmed_at=at(2026, 5, 5), now=at(2026, 5, 5))
    p = services.participation_revoke(participation=p, actor=person.user, now=at(2026, 5, 5, 18))
    assert p.status == Status.REVOKED
    assert event_row(p) == (Status.AWAITING_START, Status.REVOKED, EventReason.REVOKED, person.user, Channel.ONLINE)


def test_transition_submitted_and_awaiting_start_to_rejected(hzv, gp, person, other_person, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    assert (
        services.participation_reject(
            participation=p, actor=staff, reason_text="nicht versichert", now=at(2026, 12, 20)
        ).status
        == Status.REJECTED
    )
    assert event_row(p) == (Status.SUBMITTED, Status.REJECTED, EventReason.REJECTED, staff, Channel.STAFF)
    assert last_event(p).text == "nicht versichert"
    q = declare(hzv, other_person, gp, now=at(2026, 12, 19))
    services.participation_close_revocation_period(participation=q, now=at(2027, 1, 5))
    assert (
        services.participation_reject(participation=q, actor=staff, reason_text="x", now=at(2027, 1, 6)).status
        == Status.REJECTED
    )
    assert event_row(q) == (Status.AWAITING_START, Status.REJECTED, EventReason.REJECTED, staff, Channel.STAFF)


def test_transition_table_is_consistent_with_the_services():
    assert Status.ACTIVE in TRANSITIONS[Status.AWAITING_START]
    for final in (Status.ENDED, Status.REVOKED, Status.REJECTED):
        assert TRANSITIONS[final] == frozenset()
    with pytest.raises(TransitionNotAllowed, match="beendet"):
        ensure_transition(Status.ENDED, Status.ACTIVE)


# --- a sample of forbidden transitions ---------------------------------------------------------


def test_forbidden_revoke_after_ended_or_rejected(bv, person, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(bv, person, None, now=at(2026, 5, 4))
    services.participation_reject(participation=p, actor=staff, reason_text="x", now=at(2026, 5, 4, 13))
    with pytest.raises(TransitionNotAllowed, match="abgelehnt"):
        services.participation_revoke(participation=p, actor=person.user, now=at(2026, 5, 5))
    assert p.events.count() == 2


def test_forbidden_start_of_revoked_participation(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    services.participation_revoke(participation=p, actor=person.user, now=at(2026, 12, 20))
    with pytest.raises(TransitionNotAllowed):
        services.participation_start(participation=p, now=at(2027, 4, 1))
    p.refresh_from_db()
    assert p.status == Status.REVOKED
    assert p.events.count() == 2


def test_forbidden_cancel_while_submitted_and_for_dmp(hzv, gp, dmp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    with pytest.raises(TransitionNotAllowed):
        services.participation_cancel(participation=p, actor=person.user, now=at(2026, 12, 20))
    d = declare(dmp, person, None, now=at(2026, 12, 19))
    with pytest.raises(services.NotCancellable):
        services.participation_cancel(participation=d, actor=person.user, now=at(2026, 12, 20))


def test_forbidden_end_of_submitted_participation(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    with pytest.raises(TransitionNotAllowed):
        services.participation_end(participation=p, now=at(2026, 12, 20))
    assert p.events.count() == 1


def test_forbidden_confirm_doctor_twice(dmp, person, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(dmp, person, None, now=at(2026, 5, 4))
    services.participation_confirm_doctor(participation=p, actor=staff, confirmed_at=at(2026, 5, 5), now=at(2026, 5, 5))
    with pytest.raises(TransitionNotAllowed):
        services.participation_confirm_doctor(
            participation=p, actor=staff, confirmed_at=at(2026, 5, 6), now=at(2026, 5, 6)
        )
    assert p.events.count() == 2


def test_forbidden_confirm_doctor_of_a_submitted_hzv_participation(hzv, gp, person, django_user_model):
    """Only a DMP waiting for its doctor can be confirmed; submitted → awaiting_start is a
    transition of the revocation window, not of a doctor's confirmation."""
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(hzv, person, gp, now=at(2026, 5, 4))
    assert p.status == Status.SUBMITTED
    with pytest.raises(TransitionNotAllowed):
        services.participation_confirm_doctor(
            participation=p, actor=staff, confirmed_at=at(2026, 5, 5), now=at(2026, 5, 5)
        )
    p.refresh_from_db()
    assert p.status == Status.SUBMITTED
    assert p.doctor_confirmed_at is None
    assert not p.events.filter(reason_code=EventReason.DOCTOR_CONFIRMED).exists()


def test_guard_predicates_of_a_submitted_hzv_participation(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 5, 4))
    assert not p.can_confirm_doctor()
    assert not p.can_record_instruction()  # online: the Belehrung was given in the form
    assert p.can_reject()
    assert not p.can_end_early()
    assert p.can_request_doctor_change()
    assert not p.can_request_extraordinary_cancellation()
    assert p.can_revoke(now=at(2026, 5, 5))
    assert not p.can_cancel(now=at(2026, 5, 5))
    assert not p.revocation_period_over(now=at(2026, 5, 5))


def test_guard_predicates_of_a_dmp_waiting_for_its_doctor(dmp, person):
    p = declare(dmp, person, None, now=at(2026, 5, 4))
    assert p.can_confirm_doctor()
    assert not p.can_record_instruction()
    assert p.can_reject()
    assert not p.can_request_doctor_change()
    assert not p.can_request_extraordinary_cancellation()
    assert not p.can_cancel(now=at(2026, 5, 5))


def test_guard_predicates_of_a_decided_request(hzv, gp, second_gp, person, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(hzv, person, gp, now=at(2026, 5, 4))
    req = services.participation_request_doctor_change(
        participation=p, actor=person.user, new_provider=second_gp, now=at(2026, 5, 6), reason="moved"
    )
    assert req.can_decide() and not req.can_apply(on=dt.date(2026, 5, 6))
    req = services.doctor_change_decide(request=req, actor=staff, approve=True, now=at(2026, 5, 7))
    assert not req.can_decide()
    with pytest.raises(services.RequestAlreadyDecided):
        services.doctor_change_decide(request=req, actor=staff, approve=False, note="zu spät", now=at(2026, 5, 8))


def test_status_column_refuses_unknown_values(hzv, gp, person):
    from django.db import IntegrityError, transaction

    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.filter(pk=p.pk).update(status="paused")


def test_revoked_status_requires_revoked_at(hzv, gp, person):
    from django.db import IntegrityError, transaction

    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.filter(pk=p.pk).update(status=Status.REVOKED)


# --- idempotency, duplicates, eligibility ------------------------------------------------------------


def test_declare_same_key_twice_returns_the_same_record(hzv, gp, person):
    key = uuid.uuid4()
    first = declare(hzv, person, gp, now=at(2026, 12, 19, 10), key=key)
    second = declare(hzv, person, gp, now=at(2026, 12, 19, 10, 0, 1), key=key)
    assert first.pk == second.pk
    assert Participation.objects.count() == 1
    assert ParticipationEvent.objects.count() == 1


def test_declare_second_open_participation_is_refused(hzv, gp, person):
    declare(hzv, person, gp, now=at(2026, 12, 19, 10))
    with pytest.raises(services.NotEligible, match="bereits eine Teilnahme"):
        declare(hzv, person, gp, now=at(2026, 12, 19, 11))
    assert Participation.objects.count() == 1


def test_declare_again_after_revocation_is_possible(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19, 10))
    services.participation_revoke(participation=p, actor=person.user, now=at(2026, 12, 20))
    again = declare(hzv, person, gp, now=at(2026, 12, 21))
    assert again.status == Status.SUBMITTED
    assert event_row(p) == (Status.SUBMITTED, Status.REVOKED, EventReason.REVOKED, person.user, Channel.ONLINE)
    assert event_rows(again) == [("", Status.SUBMITTED, EventReason.DECLARED, person.user, Channel.ONLINE)]


def test_declare_only_one_hzv_at_a_time(aoks, hzv, gp, person):
    from tests.factories import ContractFactory, ContractParticipationFactory, ProgramFactory

    other = ContractFactory(program=ProgramFactory(program_type="hzv", title="Hausarzt plus"), fund=aoks["aok-bw"])
    ContractParticipationFactory(provider=gp, contract=other)
    declare(hzv, person, gp, now=at(2026, 12, 19))
    with pytest.raises(services.NotEligible, match="Hausarztprogramm"):
        declare(other, person, gp, now=at(2026, 12, 20))


def test_declare_one_dmp_per_indication(aoks, dmp, person):
    from tests.factories import ContractFactory, ProgramFactory

    other = ContractFactory(
        program=ProgramFactory(program_type="dmp", dmp_indication="01", title="Diabetes Typ 2 plus"),
        fund=aoks["aok-bw"],
        revocation_days=None,
        binding_months=0,
    )
    declare(dmp, person, None, now=at(2026, 12, 19))
    with pytest.raises(services.NotEligible, match="Erkrankung"):
        declare(other, person, None, now=at(2026, 12, 20))


def test_declare_needs_active_prerequisite(aoks, hzv, gp, bv, person):
    bv.program.prerequisites.add(hzv.program)
    with pytest.raises(services.NotEligible, match="Hausarztprogramm voraus"):
        declare(bv, person, None, now=at(2026, 1, 10))
    p = declare(hzv, person, gp, now=at(2026, 1, 10))
    services.participation_close_revocation_period(participation=p, now=at(2026, 1, 30))
    services.participation_start(participation=p, now=at(2026, 4, 1))
    assert declare(bv, person, None, now=at(2026, 4, 2)).status == Status.SUBMITTED


def test_declare_excluded_program_is_refused(hzv, gp, bv, person):
    bv.program.excludes.add(hzv.program)
    declare(hzv, person, gp, now=at(2026, 1, 10))
    with pytest.raises(services.NotEligible, match="schließt"):
        declare(bv, person, None, now=at(2026, 1, 11))


def test_declare_hzv_requires_a_participating_gp(hzv, person):
    from tests.factories import ProviderFactory

    with pytest.raises(services.ProviderNotInContract):
        declare(hzv, person, None, now=at(2026, 1, 10))
    with pytest.raises(services.ProviderNotInContract, match="nimmt an diesem Vertrag nicht teil"):
        declare(hzv, person, ProviderFactory(), now=at(2026, 1, 10))
    assert not Participation.objects.exists()


def test_declare_requires_every_consent(hzv, gp, person):
    with pytest.raises(services.ConsentMissing):
        declare(
            hzv,
            person,
            gp,
            consents={"declaration": True, "data_transfer": False, "revocation_instruction": True},
            now=at(2026, 1, 10),
        )


def test_declare_stores_the_texts_seen(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 1, 10))
    hzv.declaration_text = "Neue Fassung"
    hzv.save()
    p.refresh_from_db()
    assert p.declaration_text == "Ich erkläre meine Teilnahme an diesem Vertrag."
    assert p.contract_version == "2026-1"
    assert p.consents == ALL_CONSENTS
    assert p.instruction_method == "online" and p.instructed_at == p.declared_at


def test_declare_mail_is_sent_after_commit_without_health_data(
    hzv, gp, person, mailoutbox, django_capture_on_commit_callbacks
):
    person.user.email = "erika@example.org"
    person.user.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        p = declare(hzv, person, gp, now=at(2026, 1, 10))
    assert len(callbacks) == 2  # the mail and the receipt, both after the commit
    assert p.documents.get().kind == "receipt"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == "Ihre Erklärung ist eingegangen"
    assert mail.to == ["erika@example.org"]
    assert "Hausarzt" not in mail.body and "Praxis" not in mail.body
    assert "/teilnahme/" in mail.body


# --- renewal, extraordinary cancellation, doctor change -----------------------------------------


def test_renew_after_cancellation_deadline_passed(hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 1, 15))
    services.participation_close_revocation_period(participation=p, now=at(2026, 2, 1))
    services.participation_start(participation=p, now=at(2026, 4, 1))
    with pytest.raises(EnrollmentError):
        services.participation_renew(participation=p, now=at(2027, 2, 28, 23))
    p = services.participation_renew(participation=p, now=at(2027, 3, 1, 0, 30))
    assert (p.status, p.term_end, p.cancel_by) == (Status.ACTIVE, dt.date(2028, 3, 31), dt.date(2028, 2, 29))
    event = last_event(p)
    assert (event.from_status, event.to_status, event.reason_code) == (
        Status.ACTIVE,
        Status.ACTIVE,
        EventReason.RENEWED,
    )
    assert event.data["previous_term_end"] == "2027-03-31"
    assert (event.actor, event.channel) == (None, Channel.SYSTEM)


def test_extraordinary_cancellation_approved_by_staff(hzv, gp, person, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(hzv, person, gp, now=at(2026, 1, 15))
    services.participation_close_revocation_period(participation=p, now=at(2026, 2, 1))
    services.participation_start(participation=p, now=at(2026, 4, 1))
    with pytest.raises(EnrollmentError):
        services.participation_request_extraordinary_cancellation(
            participation=p, actor=person.user, reason="other", reason_text="", now=at(2026, 6, 1)
        )
    req = services.participation_request_extraordinary_cancellation(
        participation=p, actor=person.user, reason="moved", now=at(2026, 6, 1)
    )
    with pytest.raises(EnrollmentError, match="bereits"):
        services.participation_request_extraordinary_cancellation(
            participation=p, actor=person.user, reason="moved", now=at(2026, 6, 2)
        )
    req = services.cancellation_request_decide(
        request=req, actor=staff, approve=True, now=at(2026, 6, 5), effective_date=dt.date(2026, 6, 30)
    )
    p.refresh_from_db()
    assert (req.decision, p.status, p.end_date) == ("approved", Status.ENDING, dt.date(2026, 6, 30))
    assert event_rows(p)[-2:] == [
        (Status.ACTIVE, Status.ACTIVE, EventReason.EXTRAORDINARY_REQUESTED, person.user, Channel.ONLINE),
        (Status.ACTIVE, Status.ENDING, EventReason.EXTRAORDINARY_APPROVED, staff, Channel.STAFF),
    ]
    with pytest.raises(services.RequestAlreadyDecided):
        services.cancellation_request_decide(request=req, actor=staff, approve=False, note="x", now=at(2026, 6, 6))


def test_extraordinary_cancellation_rejected_needs_a_note(hzv, gp, person, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(hzv, person, gp, now=at(2026, 1, 15))
    services.participation_close_revocation_period(participation=p, now=at(2026, 2, 1))
    req = services.participation_request_extraordinary_cancellation(
        participation=p, actor=person.user, reason="trust_broken", now=at(2026, 3, 1)
    )
    with pytest.raises(EnrollmentError):
        services.cancellation_request_decide(request=req, actor=staff, approve=False, now=at(2026, 3, 2))
    req = services.cancellation_request_decide(
        request=req, actor=staff, approve=False, note="kein Grund", now=at(2026, 3, 2)
    )
    p.refresh_from_db()
    assert req.decision == "rejected" and p.status == Status.AWAITING_START
    assert last_event(p).reason_code == EventReason.EXTRAORDINARY_REJECTED
    assert event_rows(p)[-2:] == [
        (
            Status.AWAITING_START,
            Status.AWAITING_START,
            EventReason.EXTRAORDINARY_REQUESTED,
            person.user,
            Channel.ONLINE,
        ),
        (Status.AWAITING_START, Status.AWAITING_START, EventReason.EXTRAORDINARY_REJECTED, staff, Channel.STAFF),
    ]
    assert last_event(p).text == "kein Grund"


def test_doctor_change_during_binding_needs_important_reason_and_staff(hzv, gp, second_gp, person, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    p = declare(hzv, person, gp, now=at(2026, 1, 15))
    services.participation_close_revocation_period(participation=p, now=at(2026, 2, 1))
    services.participation_start(participation=p, now=at(2026, 4, 1))
    with pytest.raises(services.DoctorChangeNotAllowed, match="wichtigem Grund"):
        services.participation_request_doctor_change(
            participation=p, actor=person.user, new_provider=second_gp, now=at(2026, 6, 1)
        )
    req = services.participation_request_doctor_change(
        participation=p, actor=person.user, new_provider=second_gp, reason="practice_closed", now=at(2026, 6, 1)
    )
    assert req.decision == "pending"
    req = services.doctor_change_decide(request=req, actor=staff, approve=True, now=at(2026, 6, 3))
    # Next quarter start by the contract's rule (decided after the 1 May cut-off → 1 Oct).
    assert req.effective_date == dt.date(2026, 10, 1)
    p.refresh_from_db()
    assert p.provider == gp
    services.doctor_change_apply(request=req, now=at(2026, 10, 1, 1))
    p.refresh_from_db()
    assert p.provider == second_gp
    assert last_event(p).reason_code == EventReason.DOCTOR_CHANGED
    assert event_rows(p)[-3:] == [
        (Status.ACTIVE, Status.ACTIVE, EventReason.DOCTOR_CHANGE_REQUESTED, person.user, Channel.ONLINE),
        (Status.ACTIVE, Status.ACTIVE, EventReason.DOCTOR_CHANGE_APPROVED, staff, Channel.STAFF),
        (Status.ACTIVE, Status.ACTIVE, EventReason.DOCTOR_CHANGED, None, Channel.SYSTEM),
    ]


def test_doctor_change_after_binding_is_free(hzv, gp, second_gp, person):
    p = declare(hzv, person, gp, now=at(2026, 1, 15))
    services.participation_close_revocation_period(participation=p, now=at(2026, 2, 1))
    services.participation_start(participation=p, now=at(2026, 4, 1))
    req = services.participation_request_doctor_change(
        participation=p, actor=person.user, new_provider=second_gp, now=at(2027, 4, 10)
    )
    assert (req.decision, req.reason, req.effective_date) == ("approved", "", dt.date(2027, 7, 1))
    assert event_rows(p)[-2:] == [
        (Status.ACTIVE, Status.ACTIVE, EventReason.DOCTOR_CHANGE_REQUESTED, person.user, Channel.ONLINE),
        (Status.ACTIVE, Status.ACTIVE, EventReason.DOCTOR_CHANGE_APPROVED, None, Channel.SYSTEM),
    ]


@pytest.mark.parametrize(("requested", "words"), [((2026, 6, 1), "beantragt"), ((2027, 4, 10), "01.07.2027")])
def test_doctor_change_request_is_confirmed_by_mail_without_personal_data(
    hzv, gp, second_gp, person, mailoutbox, django_capture_on_commit_callbacks, requested, words
):
    p = declare(hzv, person, gp, now=at(2026, 1, 15))
    services.participation_close_revocation_period(participation=p, now=at(2026, 2, 1))
    services.participation_start(participation=p, now=at(2026, 4, 1))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.participation_request_doctor_change(
            participation=p, actor=person.user, new_provider=second_gp, reason="practice_closed", now=at(*requested)
        )
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [person.user.email]
    mail = mailoutbox[0]
    assert "Arztwechsel" in mail.subject and words in mail.body and f"/teilnahme/{p.pk}/" in mail.body
    for private in (person.kvnr, person.last_name, second_gp.name, hzv.program.title):
        assert private not in mail.subject + mail.body


def test_eligibility_reports_a_running_participation_once(bv, person):
    from enrollment.eligibility import eligibility_for

    p = declare(bv, person, None, now=at(2026, 5, 4))
    services.participation_start(participation=p, now=at(2026, 5, 5, 8))
    result = eligibility_for(user=person.user, person=person, program=bv.program, on=dt.date(2026, 5, 6))
    assert [c.code for c in result.problems] == ["no_duplicate"]
    assert "bereits eine Teilnahme" in result.problems[0].message


def test_the_wizards_eligibility_from_the_catalogue_memos_equals_the_database_path(aoks, hzv, gp, bv, dmp, person):
    """The wizard's first step takes the contract and the exclusions from the catalogue memos
    (issue 11); the declaration reads the database. Both must give the same checks: with two
    contract versions valid on the day (the newer one counts), one that has ended, another
    fund's contract, and exclusions in both directions."""
    from enrollment.eligibility import eligibility_for
    from programs.caching import bump_catalogue_version
    from programs.eligibility import attach_rules
    from programs.models import Program
    from tests.factories import ContractFactory

    newer = ContractFactory(program=bv.program, fund=aoks["aok-bw"], valid_from=dt.date(2026, 1, 1), version="2026-2")
    ContractFactory(
        program=bv.program,
        fund=aoks["aok-bw"],
        valid_from=dt.date(2026, 2, 1),
        valid_until=dt.date(2026, 3, 31),
        version="2026-ended",
    )
    ContractFactory(program=bv.program, fund=aoks["aok-plus"], valid_from=dt.date(2026, 3, 1), version="plus")
    bv.program.excludes.add(hzv.program)  # bv excludes hzv; dmp is excluded by hzv
    hzv.program.excludes.add(dmp.program)
    declare(hzv, person, gp, now=at(2026, 4, 10))
    bump_catalogue_version()
    day = dt.date(2026, 4, 14)

    def checks(program, *, from_catalogue):
        if from_catalogue:
            program = Program.objects.get(pk=program.pk)
            attach_rules([program])
        result = eligibility_for(
            user=person.user, person=person, program=program, on=day, from_catalogue=from_catalogue
        )
        return result.contract and result.contract.pk, [(c.code, c.ok, str(c.message)) for c in result.checks]

    for program in (bv.program, dmp.program, hzv.program):
        fresh = Program.objects.get(pk=program.pk)
        assert checks(program, from_catalogue=True) == checks(fresh, from_catalogue=False), program
    contract_pk, bv_checks = checks(bv.program, from_catalogue=True)
    assert contract_pk == newer.pk
    assert ("no_excluded", False) in [(code, ok) for code, ok, _m in bv_checks]
    _pk, dmp_checks = checks(dmp.program, from_catalogue=True)
    assert ("no_excluded", False) in [(code, ok) for code, ok, _m in dmp_checks]
