"""Pages of a signed-in account kept per account version and day (issue 11): the version is
moved on by database triggers for every change an account's pages show, whichever way the
change is written, and the memoised pages follow at once."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from enrollment import account_memo, services
from enrollment.account_memo import account_version
from enrollment.lifecycle import Status
from enrollment.models import (
    CancellationRequest,
    DoctorChangeRequest,
    InsuredPerson,
    IssuedDocument,
    LegalRepresentation,
    Participation,
    ParticipationEvent,
)
from programs.terms.deadlines import BERLIN
from tests.factories import InsuredPersonFactory, LegalRepresentationFactory
from tests.fixtures.enrollment import declare

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("enrollment.migrations.0174_account_version")

#: Tables with rows that reach a person or a participation but are never shown on the insured
#: person's own pages (staff side, audit), so a change to them need not move a version.
NOT_SHOWN = {
    "enrollment_activationcode": "the letter's code: staff side; linking writes the person row",
    "enrollment_personlinkevent": "the record of links and unlinks: staff side",
    "backoffice_legalrepresentationaudit": "audit trail",
    "backoffice_participationaudit": "audit trail",
    "backoffice_doctorchangerequestaudit": "audit trail",
    "backoffice_cancellationrequestaudit": "audit trail",
    "backoffice_accesslogentry": "who looked at whom: staff side",
}


def test_every_table_that_reaches_a_person_or_a_participation_is_watched_or_named_as_not_shown():
    """Generated from the model registry: a new model with a foreign key to a person, a
    representation or a participation fails here until it gets a trigger or a reason."""
    reaching = {
        model._meta.db_table
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model in (InsuredPerson, Participation, LegalRepresentation)
    } | {InsuredPerson._meta.db_table}
    assert reaching - set(MIGRATION.WATCHED) - set(NOT_SHOWN) == set()
    assert set(MIGRATION.WATCHED) & set(NOT_SHOWN) == set()
    for model in (InsuredPerson, LegalRepresentation, Participation, ParticipationEvent, IssuedDocument):
        assert model._meta.db_table in MIGRATION.WATCHED
    for model in (DoctorChangeRequest, CancellationRequest):
        assert model._meta.db_table in MIGRATION.WATCHED


@pytest.fixture
def family(aoks):
    """A parent with an account who represents a child of 16 with an account of its own, and
    a stranger with an account."""
    parent = InsuredPersonFactory()
    child = InsuredPersonFactory(birth_date=dt.date(2010, 3, 1))
    LegalRepresentationFactory(representative=parent, represented=child)
    stranger = InsuredPersonFactory()
    return parent, child, stranger


def test_every_trigger_is_installed():
    """A migration that rebuilds a watched table (SQLite copies the table on many changes)
    would drop its triggers without a word: all 21 must exist."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'vl_account_version_%%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'vl_account_version_%'")
        installed = {row[0] for row in cursor.fetchall()}
    assert installed == set(MIGRATION.trigger_names()) and len(installed) == 21


def test_a_second_representative_sees_the_signers_new_name(family, hzv, gp):
    """The status page of the child names the parent who signed; the child's other parent
    sees that page too, so a change to the signer's record moves the other parent's version."""
    parent, child, stranger = family
    other_parent = InsuredPersonFactory()
    LegalRepresentationFactory(representative=other_parent, represented=child)
    declare(hzv, child, gp, now=timezone.now(), actor=parent.user)
    versions = Versions(parent, other_parent, child, stranger)
    InsuredPerson.objects.filter(pk=parent.pk).update(last_name="Umbenannt")
    assert versions.moved() == [True, True, True, False]


def test_rows_inserted_and_deleted_in_plain_sql_move_the_versions(family, hzv, gp, second_gp):
    """The INSERT and DELETE triggers alone (the services write several rows at once)."""
    parent, child, stranger = family
    p = declare(hzv, child, gp, now=timezone.now(), actor=parent.user)
    services.participation_request_doctor_change(
        participation=p, actor=parent.user, new_provider=second_gp, reason="moved", now=timezone.now()
    )
    versions = Versions(parent, child, stranger)
    events = ParticipationEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {events} (participation_id, from_status, to_status, at, channel, reason_code, text, data)"  # noqa: S608
            " VALUES (%s, %s, %s, %s, 'online', 'reminder_sent', '', '{}')",
            [p.pk, p.status, p.status, timezone.now()],
        )
    assert versions.moved() == [True, True, False]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DoctorChangeRequest._meta.db_table} WHERE participation_id = %s", [p.pk])  # noqa: S608
    assert versions.moved() == [True, True, False]


class Versions:
    def __init__(self, *persons):
        self.persons = persons
        self.before = self.now()

    def now(self):
        return [account_version(p.user_id) for p in self.persons]

    def moved(self) -> list[bool]:
        after = self.now()
        moved = [a != b for a, b in zip(after, self.before, strict=True)]
        self.before = after
        return moved


def test_changes_move_the_versions_of_exactly_the_accounts_that_see_them(family, bv, hzv, gp, second_gp):
    parent, child, stranger = family
    versions = Versions(parent, child, stranger)

    p = declare(hzv, child, gp, now=timezone.now(), actor=parent.user)  # participation, event
    assert versions.moved() == [True, True, False]
    services.participation_request_doctor_change(
        participation=p, actor=parent.user, new_provider=second_gp, reason="moved", now=timezone.now()
    )
    assert versions.moved() == [True, True, False]
    DoctorChangeRequest.objects.filter(participation=p).update(decision_note="checked")  # no signals
    assert versions.moved() == [True, True, False]
    Participation.objects.filter(pk=p.pk).update(status=Status.ACTIVE)  # no signals
    assert versions.moved() == [True, True, False]
    InsuredPerson.objects.filter(pk=child.pk).update(last_name="Neu")
    assert versions.moved() == [True, True, False]
    InsuredPerson.objects.filter(pk=parent.pk).update(last_name="Anders")  # the representative, the signer
    assert versions.moved() == [True, True, False]
    InsuredPerson.objects.filter(pk=stranger.pk).update(city="Ulm")
    assert versions.moved() == [False, False, True]
    declare(bv, stranger, None, now=timezone.now())
    assert versions.moved() == [False, False, True]
    LegalRepresentation.objects.filter(representative=parent).delete()
    assert versions.moved() == [True, True, False]
    newcomer = InsuredPersonFactory()  # a new record with an account: that account's version
    assert account_version(newcomer.user_id) != 0 and versions.moved() == [False, False, False]
    InsuredPersonFactory(user=None)  # without one (an import): nobody's
    assert versions.moved() == [False, False, False]


def test_every_watched_table_moves_the_version_on_update_whatever_the_writer(
    family, bv, hzv, gp, second_gp, django_capture_on_commit_callbacks
):
    """Generated from the watched tables: an UPDATE in plain SQL (as a data fix or another
    program would write it) moves the versions of both accounts that see the row."""
    parent, child, _stranger = family
    with django_capture_on_commit_callbacks(execute=True):  # the receipt is issued on commit
        p = declare(hzv, child, gp, now=timezone.now(), actor=parent.user)
    services.participation_request_doctor_change(
        participation=p, actor=parent.user, new_provider=second_gp, reason="moved", now=timezone.now()
    )
    p.refresh_from_db()
    later = dt.datetime.combine(p.start_date, dt.time(12), tzinfo=BERLIN)
    services.participation_close_revocation_period(participation=p, now=later)
    services.participation_start(participation=p, now=later)
    services.participation_request_extraordinary_cancellation(
        participation=p, actor=parent.user, reason="moved", now=later
    )
    append_only = {ParticipationEvent._meta.db_table, IssuedDocument._meta.db_table}
    checked = 0
    for table in MIGRATION.WATCHED:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} ORDER BY id")  # noqa: S608 (table names from the migration)
            ids = [row[0] for row in cursor.fetchall()]
        assert ids, table
        if connection.vendor == "postgresql" and table in append_only:
            continue  # a database trigger refuses every UPDATE there; the INSERT is tested above
        versions = Versions(parent, child)
        with connection.cursor() as cursor:
            row = child.pk if table == InsuredPerson._meta.db_table else ids[-1]  # the others: all the family's
            cursor.execute(f"UPDATE {table} SET id = id WHERE id = %s", [row])  # noqa: S608
        assert versions.moved() == [True, True], table
        checked += 1
    assert checked >= 5


def _get(client, url) -> str:
    """The page without what differs per request anyway (CSRF token, CSP nonce)."""
    from tests.programs.test_fragments import _normalised

    response = client.get(url)
    assert response.status_code == 200
    return _normalised(response)


def _from_memo(client, url) -> str:
    """`_get`, asserting the page came from the memo: session, account and version only."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        html = _get(client, url)
    assert len(queries) == 3, [q["sql"][:80] for q in queries.captured_queries]
    return html


def test_the_status_page_and_mein_bereich_follow_a_change_written_without_django(client, family, hzv, gp):
    parent, child, _stranger = family
    p = declare(hzv, child, gp, now=timezone.now(), actor=parent.user)
    status, dashboard = reverse("enrollment:detail", kwargs={"pk": p.pk}), reverse("enrollment:dashboard")
    client.force_login(parent.user)
    first = _get(client, status)
    assert _from_memo(client, status) == first
    assert "Neuname" not in _get(client, dashboard)
    _from_memo(client, dashboard)
    with connection.cursor() as cursor:  # no model, no signal: only the triggers see it
        cursor.execute(f"UPDATE {InsuredPerson._meta.db_table} SET first_name = 'Neuname' WHERE id = %s", [child.pk])  # noqa: S608 (table names from the models)
        cursor.execute(f"UPDATE {Participation._meta.db_table} SET contract_version = 'V-99' WHERE id = %s", [p.pk])  # noqa: S608 (table names from the models)
    assert "Neuname" in _get(client, status) and "Neuname" in _get(client, dashboard)
    assert "V-99" in _get(client, status)


def test_each_account_gets_its_own_page_and_others_a_404(client, family, hzv, gp):
    parent, child, stranger = family
    p = declare(hzv, child, gp, now=timezone.now(), actor=parent.user)
    dashboard, status = reverse("enrollment:dashboard"), reverse("enrollment:detail", kwargs={"pk": p.pk})
    client.force_login(parent.user)
    assert f"Teilnahmen von {child.first_name}" in _get(client, dashboard)
    parents_status = _get(client, status)
    client.force_login(child.user)
    assert "Ihre Teilnahmen" in _get(client, dashboard) and f"Teilnahmen von {child.first_name}" not in _get(
        client, dashboard
    )
    assert _get(client, status)  # the child sees its own participation
    client.force_login(stranger.user)
    assert client.get(status).status_code == 404
    assert hzv.program.title not in _get(client, dashboard)
    assert client.get(status).status_code == 404  # a 404 is never memoised as a page
    assert not [key for key in account_memo._pages if key[0] == "status" and key[1] == stranger.user_id]
    client.force_login(parent.user)
    assert _from_memo(client, status) == parents_status


def test_a_representation_that_ends_hides_the_page_at_once(client, family, hzv, gp):
    parent, child, _stranger = family
    p = declare(hzv, child, gp, now=timezone.now(), actor=parent.user)
    status = reverse("enrollment:detail", kwargs={"pk": p.pk})
    client.force_login(parent.user)
    _get(client, status)
    LegalRepresentation.objects.filter(representative=parent).update(valid_until=timezone.localdate() - dt.timedelta(1))
    assert client.get(status).status_code == 404


def test_the_page_of_the_next_day_is_rendered_anew(client, monkeypatch, person, bv):
    """The revocation window counts days: the memo never serves yesterday's count."""
    p = declare(bv, person, None, now=timezone.now())
    status = reverse("enrollment:detail", kwargs={"pk": p.pk})
    client.force_login(person.user)
    today = _get(client, status)
    assert p.revocation_days_left(now=timezone.now()) >= 2
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(days=1))
    client.force_login(person.user)  # the session of yesterday has timed out
    tomorrow = _get(client, status)
    assert tomorrow != today
    account_memo.clear()
    assert _get(client, status) == tomorrow  # the same as a fresh render of that day


def test_wizard_program_page_and_home_follow_a_declaration_at_once(client, family, hzv, gp):
    """The account's persons and participations are kept per version (`account_data`) for the
    catalogue pages and the wizard's first step: a declaration (here made for the child by
    the parent in another tab) shows on all three at the next request."""
    from tests.enrollment.test_views import wizard_url

    parent, child, _stranger = family
    client.force_login(parent.user)
    wizard = wizard_url(client, hzv, "person")
    program_page = reverse("programs:detail", kwargs={"slug": hzv.program.slug})
    home = reverse("home")
    before = {url: _get(client, url) for url in (wizard, program_page, home)}
    assert f'value="{child.pk}"' in before[wizard]  # the child may take part
    assert "nimmt bereits teil" not in before[program_page]
    assert _get(client, wizard) == before[wizard]

    p = declare(hzv, child, gp, now=timezone.now(), actor=parent.user)
    after = {url: _get(client, url) for url in (wizard, program_page, home)}
    assert f'value="{child.pk}"' not in after[wizard] and "bereits eine Teilnahme" in after[wizard]
    assert "nimmt bereits teil" in after[program_page]
    assert reverse("enrollment:detail", kwargs={"pk": p.pk}) in after[home]
    assert reverse("enrollment:detail", kwargs={"pk": p.pk}) not in before[home]
