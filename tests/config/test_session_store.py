"""Sessions read from a shared cache (issue 11): with Redis or memcached the settings choose
Django's `cached_db` store with the outage correction, so a signed-in page reads its session
without a query; signing out still ends the session everywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import InsuredPersonFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CACHED = "config.cached_session_store"
ACCOUNT = reverse("accounts:account")


@pytest.mark.parametrize(
    ("settings_module", "variables", "engine"),
    [
        ("config.settings", {"CACHE_URL": "redis://127.0.0.1:6379/1"}, CACHED),
        ("config.settings", {"CACHE_URL": "pymemcache://127.0.0.1:11211"}, CACHED),
        ("config.settings", {"CACHE_URL": "locmemcache://x"}, "config.session_store"),  # one per process: never
        ("config.settings", {"CACHE_URL": "filecache:///var/cache/vl"}, "config.session_store"),
        # the benchmark replaces CACHES after the settings chose: it must choose again
        ("bench.catalogue_settings", {"BENCH_REDIS_URL": "redis://127.0.0.1:6379/9"}, CACHED),
        ("bench.catalogue_settings", {}, "config.session_store"),  # its file cache
    ],
)
def test_the_cached_store_is_chosen_only_for_a_cache_every_process_shares(settings_module, variables, engine):
    inherited = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "BENCH_REDIS_URL")}
    env = {**inherited, **variables, "DJANGO_SETTINGS_MODULE": settings_module}
    code = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_ENGINE)"
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == engine


@pytest.fixture
def cached_sessions(settings, aoks):
    settings.SESSION_ENGINE = CACHED


def session_queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]


def test_a_signed_in_page_reads_its_session_from_the_cache(cached_sessions):
    client = Client()
    client.force_login(InsuredPersonFactory().user)
    assert session_queries(client, ACCOUNT) == []


def test_the_database_store_reads_it_with_a_query(settings, aoks):
    client = Client()
    client.force_login(InsuredPersonFactory().user)
    assert len(session_queries(client, ACCOUNT)) == 1


def test_signing_out_ends_the_cached_session(cached_sessions):
    client = Client()
    client.force_login(InsuredPersonFactory().user)
    cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    stolen = Client()
    stolen.cookies["sessionid"] = cookie
    assert stolen.get(ACCOUNT).status_code == 302  # to the sign-in page


def test_sign_out_on_all_devices_ends_cached_sessions(cached_sessions):
    person = InsuredPersonFactory()
    laptop, phone = Client(), Client()
    laptop.force_login(person.user)
    phone.force_login(person.user)
    assert phone.get(ACCOUNT).status_code == 200
    laptop.post(reverse("accounts:sign_out_everywhere"))
    assert phone.get(ACCOUNT).status_code == 302


def test_a_session_that_cannot_be_saved_in_an_outage_answers_503_from_the_cached_store(cached_sessions):
    from django.contrib.sessions.models import Session

    client = Client(raise_request_exception=False)
    client.force_login(InsuredPersonFactory().user)
    with mock.patch.object(Session, "save", side_effect=OperationalError("server closed the connection")):
        response = client.post(reverse("accounts:session_extend"))
    assert response.status_code == 503
