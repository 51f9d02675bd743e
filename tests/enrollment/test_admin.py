"""Admin of participations: paper declarations give the same deadlines, fund scoping,
read-only status, work queues, staff decisions through the services."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from enrollment import services
from enrollment.lifecycle import Status
from enrollment.models import Channel, EventReason, Participation
from tests.factories import StaffMembershipFactory
from tests.fixtures.enrollment import at, declare, event_row, event_rows

pytestmark = pytest.mark.django_db


def staff_of(fund):
    """A staff account with the permissions of the Sachbearbeitung group for the enrollment app."""
    from django.contrib.auth.models import Permission

    user = StaffMembershipFactory(fund=fund).user
    perms = Permission.objects.filter(content_type__app_label="enrollment").exclude(codename__startswith="delete_")
    user.user_permissions.set(perms.exclude(codename__in=["add_participationevent", "change_participationevent"]))
    return user


@pytest.fixture
def staff(aoks):
    return staff_of(aoks["aok-bw"])


@pytest.fixture
def other_staff(aoks):
    return staff_of(aoks["aok-plus"])


def paper_post(client, contract, person, provider, **extra):
    data = {
        "person": person.pk,
        "contract": contract.pk,
        "provider": provider.pk if provider else "",
        "channel": "practice",
        "declared_on": "2025-12-20",
        "instructed_on": "2025-12-20",
        "instruction_method": "paper",
        "signer": "",
        "data_transfer": "on",
        "idempotency_key": str(uuid.uuid4()),
        **extra,
    }
    return client.post(reverse("admin:enrollment_participation_add"), data)


def test_paper_declaration_gives_the_same_deadlines_as_online(client, staff, hzv, gp, person, other_person):
    client.force_login(staff)
    assert client.get(reverse("admin:enrollment_participation_add")).status_code == 200
    response = paper_post(client, hzv, person, gp)
    assert response.status_code == 302, response.content.decode()[:2000]
    paper = Participation.objects.get(person=person)
    online = declare(hzv, other_person, gp, now=at(2025, 12, 20, 18))
    fields = ("revocation_deadline", "start_date", "binding_end", "term_end", "cancel_by")
    assert [getattr(paper, f) for f in fields] == [getattr(online, f) for f in fields]
    # Saturday 20.12.2025 + 14 days = Saturday 03.01.2026 → Monday 05.01.2026.
    assert paper.revocation_deadline == dt.date(2026, 1, 5)
    assert paper.start_date == dt.date(2026, 4, 1)
    assert (paper.channel, paper.declared_by, paper.instruction_method) == ("practice", staff, "paper")
    assert paper.events.get().channel == "practice"
    assert event_rows(paper) == [("", Status.SUBMITTED, EventReason.DECLARED, staff, Channel.PRACTICE)]


def test_paper_declaration_for_child_needs_a_registered_representative(client, staff, bv, parent_and_child, person):
    parent, child = parent_and_child
    client.force_login(staff)
    response = paper_post(client, bv, child, None)
    assert response.status_code == 200
    assert "gesetzliche Vertretung" in response.content.decode()
    response = paper_post(client, bv, child, None, signer=person.pk)
    assert "nicht als gesetzliche Vertretung" in response.content.decode()
    assert paper_post(client, bv, child, None, signer=parent.pk).status_code == 302
    p = Participation.objects.get()
    assert (p.signer_kind, p.signer) == ("representative", parent)
    assert event_rows(p) == [("", Status.SUBMITTED, EventReason.DECLARED, staff, Channel.PRACTICE)]


def test_paper_declaration_without_belehrung_has_no_deadline(client, staff, hzv, gp, person):
    client.force_login(staff)
    assert paper_post(client, hzv, person, gp, instructed_on="", instruction_method="").status_code == 302
    p = Participation.objects.get()
    assert p.revocation_deadline is None and p.instructed_at is None
    response = client.post(
        reverse("admin:enrollment_participation_instruction", args=[p.pk]),
        {"instructed_on": "2026-04-03", "method": "letter"},  # Karfreitag 2026
    )
    assert response.status_code == 302
    p.refresh_from_db()
    # 03.04.2026 + 14 = Friday 17.04.2026, a working day.
    assert p.revocation_deadline == dt.date(2026, 4, 17)
    assert p.instruction_method == "letter"
    assert event_row(p) == (Status.SUBMITTED, Status.SUBMITTED, EventReason.INSTRUCTED, staff, Channel.STAFF)


def test_admin_is_scoped_to_the_staff_fund(client, other_staff, hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    client.force_login(other_staff)
    assert str(person.kvnr) not in client.get(reverse("admin:enrollment_participation_changelist")).content.decode()
    assert client.get(reverse("admin:enrollment_participation_change", args=[p.pk])).status_code in (302, 404)
    assert (
        client.post(reverse("admin:enrollment_participation_reject", args=[p.pk]), {"reason_text": "x"}).status_code
        == 404
    )
    assert paper_post(client, hzv, person, gp).status_code == 200  # person and contract not selectable
    p.refresh_from_db()
    assert p.status == Status.SUBMITTED
    assert p.events.count() == 1


def test_admin_shows_status_read_only_with_events(client, staff, hzv, gp, person):
    p = declare(hzv, person, gp, now=at(2026, 12, 19))
    client.force_login(staff)
    page = client.get(reverse("admin:enrollment_participation_change", args=[p.pk])).content.decode()
    assert 'name="status"' not in page
    assert "Teilnahmeerklärung abgegeben" in page  # event inline
    client.post(reverse("admin:enrollment_participation_change", args=[p.pk]), {"status": "active"})
    p.refresh_from_db()
    assert p.status == Status.SUBMITTED
    assert p.events.count() == 1


def test_admin_refuses_future_paper_dates(client, staff, hzv, gp, person):
    client.force_login(staff)
    response = paper_post(client, hzv, person, gp, declared_on="2099-01-01")
    assert "in der Zukunft" in response.content.decode()
    assert not Participation.objects.exists()


def test_admin_work_queue_and_doctor_confirmation(client, staff, dmp, person):
    p = declare(dmp, person, None, now=at(2026, 5, 4))
    client.force_login(staff)
    queue = client.get(reverse("admin:enrollment_participation_changelist") + "?vorrat=doctor").content.decode()
    assert person.kvnr in queue
    response = client.post(
        reverse("admin:enrollment_participation_confirm_doctor", args=[p.pk]), {"confirmed_on": "2026-05-20"}
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == Status.AWAITING_START and p.start_date == dt.date(2026, 5, 21)
    assert p.events.last().actor == staff
    assert event_row(p) == (
        Status.AWAITING_DOCTOR,
        Status.AWAITING_START,
        EventReason.DOCTOR_CONFIRMED,
        staff,
        Channel.STAFF,
    )


def test_admin_actions_need_change_permission(client, aoks, hzv, gp, person):
    from django.contrib.auth.models import Permission

    viewer = StaffMembershipFactory(fund=aoks["aok-bw"]).user
    viewer.user_permissions.set(Permission.objects.filter(codename="view_participation"))
    p = declare(hzv, person, gp, now=at(2026, 1, 15))
    client.force_login(viewer)
    assert client.get(reverse("admin:enrollment_participation_change", args=[p.pk])).status_code == 200
    assert (
        client.post(reverse("admin:enrollment_participation_reject", args=[p.pk]), {"reason_text": "x"}).status_code
        == 404
    )
    assert client.get(reverse("admin:enrollment_participation_add")).status_code == 403


def test_admin_decides_doctor_change(client, staff, hzv, gp, second_gp, person):
    p = declare(hzv, person, gp, now=at(2026, 1, 15))
    req = services.participation_request_doctor_change(
        participation=p, actor=person.user, new_provider=second_gp, reason="moved", now=at(2026, 2, 1)
    )
    client.force_login(staff)
    queue = client.get(reverse("admin:enrollment_participation_changelist") + "?vorrat=doctor_change").content.decode()
    assert person.kvnr in queue
    url = reverse("admin:enrollment_doctorchangerequest_decide", args=[req.pk])
    assert client.post(url, {"decision": "reject"}).status_code == 200  # note required
    assert client.post(url, {"decision": "approve", "effective_date": "2026-04-01"}).status_code == 302
    req.refresh_from_db()
    assert (req.decision, req.effective_date, req.decided_by) == ("approved", dt.date(2026, 4, 1), staff)
    # An effective date already past is applied at once: a DOCTOR_CHANGED row may follow.
    approved = (Status.SUBMITTED, Status.SUBMITTED, EventReason.DOCTOR_CHANGE_APPROVED, staff, Channel.STAFF)
    assert approved in event_rows(p)


def test_paper_declaration_checks_the_same_eligibility_rules(client, staff, hzv, gp, person):
    hzv.program.min_age = 70
    hzv.program.save()
    client.force_login(staff)
    response = paper_post(client, hzv, person, gp)
    assert response.status_code == 200
    assert "erst ab 70 Jahren" in response.content.decode()
    assert not Participation.objects.exists()
