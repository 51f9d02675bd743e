"""The audit trail: every change of the tracked models is kept with who, when, old and new
values — admin edits, bulk updates, commands — and shown on the admin's history page.
Participation events cannot be changed or deleted.

The trail is written by PostgreSQL triggers (django-pghistory); on SQLite there are none
and the history page says so (docs/audit.md)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from backoffice.audit import audit_trail
from backoffice.context import command_context
from backoffice.models import InsuredPersonAudit, UserRoleAudit
from enrollment.append_only import AppendOnlyError
from enrollment.models import InsuredPerson, ParticipationEvent
from programs.models import Contract
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- on every database -------------------------------------------------------------------------


def test_participation_events_cannot_be_changed_or_deleted_through_the_orm(declared):
    event = declared.events.get()
    event.text = "nachträglich geändert"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ParticipationEvent.objects.filter(pk=event.pk).update(text="x")
    with pytest.raises(AppendOnlyError):
        ParticipationEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        declared.events.update(text="x")
    assert ParticipationEvent.objects.get(pk=event.pk).text == ""


def test_history_page_works_without_triggers(admin_client, hzv):
    response = admin_client.get(reverse("admin:programs_contract_history", args=[hzv.pk]))
    assert response.status_code == 200
    assert "Änderungsprotokoll" in response.content.decode()


# --- PostgreSQL: the triggers --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="audit triggers exist only on PostgreSQL")
def test_admin_edit_is_shown_in_the_history_with_who_and_old_and_new_value(admin_client, admin_user, hzv):
    url = reverse("admin:programs_contract_change", args=[hzv.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "program": hzv.program_id,
            "fund": hzv.fund_id,
            "valid_from": "01.01.2020",
            "binding_months": 24,
            "contracts-TOTAL_FORMS": 0,
        }
    )
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Contract.objects.get(pk=hzv.pk).binding_months == 24

    [created, changed] = audit_trail(hzv)
    assert created.kind == "angelegt" and changed.kind == "geändert"
    assert changed.who == admin_user.username and changed.where == url
    assert [(c.old, c.new) for c in changed.changes] == [("12", "24")]
    page = admin_client.get(reverse("admin:programs_contract_history", args=[hzv.pk])).content.decode()
    assert "geändert" in page and admin_user.username in page and "24" in page


@pytest.mark.postgres
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="audit triggers exist only on PostgreSQL")
def test_bulk_update_and_command_are_recorded(person):
    # (the context variables live until the end of the transaction: here the whole test)
    InsuredPerson.objects.filter(pk=person.pk).update(street="Neue Straße 1")  # no context at all
    with command_context(["manage.py", "fix_cities"]):
        InsuredPerson.objects.filter(pk=person.pk).update(city="Esslingen am Neckar")
    [_, anonymous, by_command] = audit_trail(person)
    assert anonymous.who.startswith("ohne Anmeldung")
    assert [(c.old, c.new) for c in anonymous.changes] == [(person.street, "Neue Straße 1")]
    assert by_command.who.startswith("Befehl fix_cities")
    assert [(c.old, c.new) for c in by_command.changes] == [("Stuttgart", "Esslingen am Neckar")]
    assert InsuredPersonAudit.objects.filter(pgh_obj_id=person.pk).count() == 3


@pytest.mark.postgres
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="audit triggers exist only on PostgreSQL")
def test_deletes_and_role_memberships_of_staff_accounts_are_recorded(person):
    user = UserFactory(is_staff=True)
    group = Group.objects.create(name="Testrolle")
    user.groups.add(group)
    user.groups.remove(group)
    assert list(
        UserRoleAudit.objects.filter(user_id=user.pk).values_list("pgh_label", flat=True).order_by("pgh_id")
    ) == [
        "role.add",
        "role.remove",
    ]
    user.last_login = None
    user.set_password("Ein-anderes-Passwort-1")
    user.save()  # only the password and last_login changed: not in the trail (secret, noise)
    assert [e.kind for e in audit_trail(user)] == ["angelegt"]
    pk = person.pk
    person.user = None
    person.save()
    InsuredPerson.objects.filter(pk=pk).delete()
    assert [e.kind for e in audit_trail(InsuredPerson(pk=pk))] == ["angelegt", "geändert", "gelöscht"]


@pytest.mark.postgres
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="audit triggers exist only on PostgreSQL")
def test_participation_events_are_append_only_in_the_database(declared):
    event = declared.events.get()
    for sql in (
        "UPDATE enrollment_participationevent SET text = 'x' WHERE id = %s",
        "DELETE FROM enrollment_participationevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert ParticipationEvent.objects.filter(pk=event.pk, text="").exists()
