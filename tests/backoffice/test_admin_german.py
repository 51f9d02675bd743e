"""The back office speaks German: Django's own strings that its German catalog lacks
(locale/de), German field labels, consents and event data as text, no time-zone note."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from enrollment.admin_display import consents_text, event_data_text
from tests.backoffice.test_dashboard import work, worker  # noqa: F401

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(
    r">\s*(Run|Search\b[^<]*|Filter by[^<]*|Requested by|Decided by|Created at|Updated at|Logout|Pagination[^<]*)\s*<"
)


def visible(html: str) -> str:
    return re.sub(r"<script.*?</script>", "", html, flags=re.S)


def test_admin_pages_have_no_english_left(admin_client, work):  # noqa: F811
    from enrollment.models import DoctorChangeRequest, Participation

    participation = Participation.objects.filter(channel="online").first()
    request = DoctorChangeRequest.objects.get()
    urls = [
        reverse("admin:index"),
        reverse("admin:enrollment_participation_changelist"),
        reverse("admin:enrollment_participation_change", args=[participation.pk]),
        reverse("admin:enrollment_doctorchangerequest_changelist"),
        reverse("admin:enrollment_doctorchangerequest_change", args=[request.pk]),
        reverse("admin:enrollment_insuredperson_changelist"),
        reverse("admin:programs_contract_changelist"),
        reverse("admin:providers_contractparticipation_changelist"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:backoffice_accesslogentry_changelist"),
    ]
    for url in urls:
        html = visible(admin_client.get(url, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode())
        assert ENGLISH.findall(html) == [], url
    changelist = admin_client.get(urls[1]).content.decode()
    assert ">Ausführen<" in changelist and "Teilnahmen durchsuchen" in changelist
    change = admin_client.get(urls[4]).content.decode()
    assert "Beantragt von (Konto)" in change and "Entschieden von (Konto)" in change


def test_consents_and_event_data_are_readable_text(admin_client, work):  # noqa: F811
    from enrollment.models import Participation

    participation = Participation.objects.get(channel="online", program_type="hzv")
    html = admin_client.get(reverse("admin:enrollment_participation_change", args=[participation.pk])).content.decode()
    assert "Einwilligung in die Datenübermittlung: ja" in html
    assert "Teilnahmebeginn: 01.04.2026" in html
    assert '"data_transfer"' not in html and "&quot;start_date&quot;" not in html


def test_readable_formats_dates_moments_lists_and_unknown_keys():
    assert consents_text({}) == "–"
    html = str(event_data_text({"start_date": "2026-04-01", "lands": ["BW", "BY"], "in_binding": False, "x": 1}))
    assert "<li>Teilnahmebeginn: 01.04.2026</li>" in html
    assert "<li>Feiertage der Länder: BW, BY</li>" in html and "<li>während der Bindung: nein</li>" in html
    assert "<li>x: 1</li>" in html
    moment = str(event_data_text({"declared_at": "2025-12-20T17:00:00+00:00"}))
    assert "20.12.2025, 18:00" in moment  # Europe/Berlin


def test_date_widgets_carry_no_time_zone_note(admin_client, aoks):
    html = admin_client.get(reverse("admin:programs_contract_add")).content.decode()
    assert 'class="vDateField' in html and "vTimeField" not in html
    assert "backoffice/dates.js" in html  # drops Django's server-time note next to date inputs
