"""Root of the test suite. tests/<app>/ mirrors the code (tests/enrollment/accounts/ for
enrollment/accounts/, browser tests as test_browser.py next to their app's tests); shared
fixtures and the helpers that go with them (`declare()`, `at()`, `event_rows()`, catalogue
builders, report loaders) live in tests/fixtures/*.py, registered once below; factories in
tests/factories.py. A conftest.py below this one holds only what its directory alone needs."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright + live_server

# Shared fixtures, available in every test module (no conftest copies, no fixture imports).
pytest_plugins = [
    "tests.fixtures.browser",
    "tests.fixtures.catalogue",
    "tests.fixtures.enrollment",
    "tests.fixtures.reports",
    "tests.fixtures.tenancy",
]


@pytest.fixture
def client():
    """Django's test client; `force_login` of staff also passes the second factor (tests/fixtures/signin.py)."""
    from tests.fixtures.signin import StaffClient

    return StaffClient()


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's superuser client, signed in with a verified second factor."""
    from tests.fixtures.signin import StaffClient

    client = StaffClient()
    client.force_login(admin_user)
    return client


@pytest.fixture
def plain_client():
    """Django's test client without help: staff sessions are not verified with a second factor."""
    from django.test import Client

    return Client()


@pytest.fixture
def aoks(db):
    """The 16 Länder and the 11 AOKs with their regions (idempotent)."""
    from programs.services import ensure_aoks

    ensure_aoks()
    from programs.models import Fund

    return {f.slug: f for f in Fund.objects.all()}


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Catalogue pages are cached (programs.caching); no test may see another test's pages."""
    from django.core.cache import cache

    from enrollment import account_memo
    from programs.caching import clear_local_pages

    cache.clear()
    clear_local_pages()
    account_memo.clear()
    yield
    cache.clear()
    clear_local_pages()
    account_memo.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Stored documents (receipts, report PDFs) go to a fresh folder per test, never the repository."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in German (the portal's default): a request in English leaves English
    active in the thread, and a later test's command output came out in English (found with
    tests/enrollment/accounts/test_views.py before tests/devdata/test_generate_volume.py)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
