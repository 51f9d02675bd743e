"""Retention (backoffice/retention.py): participations are deleted with their events, requests,
documents and audit snapshots when the retention period (default 10 years) after their end has
passed — by the daily run, idempotent, with a dry run — and the reports of past years keep
their figures."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, transaction

from backoffice.retention import report_contributions, retention_cutoff, run_retention
from enrollment import services
from enrollment.lifecycle import Status
from enrollment.models import IssuedDocument, Participation, ParticipationEvent, RetainedCount, RetentionDeletion
from programs.models import ProgramType, StartRule
from reports.participation import program_participation
from tests.factories import ContractFactory, InsuredPersonFactory, ProgramFactory
from tests.fixtures.enrollment import at, declare

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def old_contract(aoks):
    program = ProgramFactory(slug="ruecken-alt", title="Rücken seit 2010", program_type=ProgramType.BESONDERE)
    return ContractFactory(
        program=program,
        fund=aoks["aok-bw"],
        valid_from=dt.date(2010, 1, 1),
        start_rule=StartRule.NEXT_DAY,
        binding_months=12,
        renewal_months=12,
        notice_months=1,
    )


def daily(day: str, *args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("enrollment_daily", "--date", day, *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def ended_in_2015(contract, person, django_capture_on_commit_callbacks) -> Participation:
    """Declared 4 May 2014 (receipt issued), cancelled, ended 4 May 2015 (cancellation
    confirmation issued)."""
    with django_capture_on_commit_callbacks(execute=True):
        p = declare(contract, person, now=at(2014, 5, 4))
        daily("2014-05-05")
        services.participation_cancel(
            participation=Participation.objects.get(pk=p.pk), actor=person.user, now=at(2014, 6, 1)
        )
        daily("2015-05-05")
    p.refresh_from_db()
    assert (p.status, p.end_date) == (Status.ENDED, dt.date(2015, 5, 4))
    return p


def figures(fund, year):
    result = program_participation(fund_id=fund.pk, year=year)
    return [
        (r.title, r.participants, r.declarations, r.revocations, r.cancellations, r.endings) for r in result.programs
    ], [(land.land_code, land.participants) for land in result.lands]


def test_the_cutoff_is_ten_years_before_today_by_default():
    assert retention_cutoff(dt.date(2025, 5, 5)) == dt.date(2015, 5, 5)
    assert retention_cutoff(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)


def test_deleted_ten_years_after_the_end_with_everything_that_names_it(
    old_contract, person, django_capture_on_commit_callbacks
):
    p = ended_in_2015(old_contract, person, django_capture_on_commit_callbacks)
    documents = list(IssuedDocument.objects.filter(participation=p))
    assert len(documents) >= 2 and all(d.file.storage.exists(d.file.name) for d in documents)
    before = {year: figures(old_contract.fund, year) for year in (2014, 2015)}
    assert before[2014][0] == [("Rücken seit 2010", 1, 1, 0, 1, 0)]

    # on the last day of the period it is kept
    assert "Aufbewahrungsfrist" not in daily("2025-05-04")
    assert Participation.objects.filter(pk=p.pk).exists()
    # the day after, it is deleted: events, documents (files too) and all
    with django_capture_on_commit_callbacks(execute=True):
        out = daily("2025-05-05")
    assert f"Aufbewahrungsfrist abgelaufen, gelöscht: Teilnahme #{p.pk} (beendet am 04.05.2015)" in out
    assert person.kvnr not in out and person.last_name not in out
    assert not Participation.objects.filter(pk=p.pk).exists()
    assert not ParticipationEvent.objects.filter(participation_id=p.pk).exists()
    assert not IssuedDocument.objects.filter(participation_id=p.pk).exists()
    assert not any(d.file.storage.exists(d.file.name) for d in documents)
    deletion = RetentionDeletion.objects.get(participation_id=p.pk)
    assert (deletion.status, deletion.closed_on, deletion.documents) == ("ended", dt.date(2015, 5, 4), len(documents))
    # the person stays (the fund's master data); the reports of past years keep their numbers
    person.refresh_from_db()
    assert {year: figures(old_contract.fund, year) for year in (2014, 2015)} == before
    # a second run finds nothing (idempotent)
    assert "nichts zu tun" in daily("2025-05-05")
    assert RetentionDeletion.objects.count() == 1


def test_retained_counts_add_to_live_ones(old_contract, person, aoks, django_capture_on_commit_callbacks):
    """A live participation and a deleted one of the same program and year count together."""
    old = ended_in_2015(old_contract, person, django_capture_on_commit_callbacks)
    other = InsuredPersonFactory(first_name="Lena", last_name="Lebend", birth_date=dt.date(1970, 1, 1))
    live = declare(old_contract, other, now=at(2015, 2, 1))
    daily("2015-02-02")
    before = figures(old_contract.fund, 2015)
    assert before[0] == [("Rücken seit 2010", 1, 1, 0, 0, 1)]  # live participant, 1 declaration, old one ended
    run_retention(now=at(2025, 5, 5, 1))
    assert Participation.objects.filter(pk=live.pk).exists() and not Participation.objects.filter(pk=old.pk).exists()
    assert figures(old_contract.fund, 2015) == before
    assert RetainedCount.objects.filter(year=2015, measure="endings").get().count == 1


def test_revoked_and_rejected_count_from_their_day_open_ones_are_never_deleted(
    old_contract, person, aoks, django_capture_on_commit_callbacks
):
    revoked = declare(old_contract, person, now=at(2015, 1, 5))
    services.participation_revoke(participation=revoked, actor=person.user, now=at(2015, 1, 10))
    second = InsuredPersonFactory(first_name="Rolf", last_name="Abgelehnt")
    rejected = declare(old_contract, second, now=at(2015, 3, 1))
    services.participation_reject(
        participation=rejected, actor=None, reason_text="nicht versichert", now=at(2015, 3, 2)
    )
    third = InsuredPersonFactory(first_name="Olga", last_name="Offen")
    still_running = declare(old_contract, third, now=at(2012, 1, 2))
    daily("2012-01-03")

    assert run_retention(now=at(2025, 1, 10, 12)).deleted == []  # revoked on 10 Jan 2015: kept today
    result = run_retention(now=at(2025, 1, 11, 1))
    assert [d.participation_id for d in result.deleted] == [revoked.pk]
    result = run_retention(now=at(2025, 3, 3, 1))
    assert [d.participation_id for d in result.deleted] == [rejected.pk]
    still_running.refresh_from_db()
    assert still_running.status == Status.ACTIVE  # open for 13 years: never touched
    assert run_retention(now=at(2040, 1, 1, 1)).deleted == []


def test_the_dry_run_lists_and_deletes_nothing(old_contract, person, django_capture_on_commit_callbacks):
    p = ended_in_2015(old_contract, person, django_capture_on_commit_callbacks)
    documents = list(IssuedDocument.objects.filter(participation=p))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        out = daily("2025-05-05", "--dry-run")
    assert callbacks == []
    assert "[Probelauf]" in out and f"Teilnahme #{p.pk}" in out
    assert Participation.objects.filter(pk=p.pk).exists() and not RetentionDeletion.objects.exists()
    assert not RetainedCount.objects.exists()
    assert all(d.file.storage.exists(d.file.name) for d in documents)


def test_the_period_is_configurable(old_contract, person, settings, django_capture_on_commit_callbacks):
    p = ended_in_2015(old_contract, person, django_capture_on_commit_callbacks)
    settings.RETENTION_YEARS = 3
    assert [d.participation_id for d in run_retention(now=at(2018, 5, 5, 1)).deleted] == [p.pk]


def test_contributions_follow_the_report_definitions(old_contract, person, django_capture_on_commit_callbacks):
    p = ended_in_2015(old_contract, person, django_capture_on_commit_callbacks)
    assert dict(report_contributions(p)) == {
        ("participants", 2014): 1,  # running on 31 Dec 2014, ended 4 May 2015
        ("declarations", 2014): 1,
        ("cancellations", 2014): 1,
        ("endings", 2015): 1,
    }


@pytest.mark.postgres
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="audit triggers exist only on PostgreSQL")
def test_audit_snapshots_go_too_and_events_stay_append_only(old_contract, person, django_capture_on_commit_callbacks):
    from backoffice.models import ParticipationAudit

    p = ended_in_2015(old_contract, person, django_capture_on_commit_callbacks)
    kept = declare(old_contract, InsuredPersonFactory(first_name="Kai", last_name="Bleibt"), now=at(2024, 1, 2))
    assert ParticipationAudit.objects.filter(pgh_obj_id=p.pk).exists()
    run_retention(now=at(2025, 5, 5, 1))
    assert not ParticipationAudit.objects.filter(pgh_obj_id=p.pk).exists()
    assert ParticipationAudit.objects.filter(pgh_obj_id=kept.pk).exists()
    # the trigger is lifted only for the retention deletion: other events stay protected
    with pytest.raises(DatabaseError), transaction.atomic():
        ParticipationEvent.objects.filter(participation=kept)._raw_delete("default")
