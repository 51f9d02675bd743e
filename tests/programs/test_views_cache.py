"""Anonymous page cache: hits, invalidation on staff edits, per-visitor CSRF token and nonce."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from programs.caching import CSRF_PLACEHOLDER, NONCE_PLACEHOLDER, bump_catalogue_version, catalogue_version
from programs.models import Program
from providers.models import ContractParticipation
from tests.factories import UserFactory
from tests.fixtures.catalogue import make_provider

pytestmark = pytest.mark.django_db

LIST = reverse("programs:list")


def detail_url(slug: str) -> str:
    return reverse("programs:detail", args=[slug])


def test_second_anonymous_request_is_served_from_cache(client, catalogue, django_assert_num_queries):
    first = client.get(LIST, {"q": "Herz"})
    assert first["X-Catalogue-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(LIST, {"q": "Herz"})
    assert second["X-Catalogue-Cache"] == "hit"
    assert "AOK-Curaplan Koronare Herzkrankheit" in second.content.decode()


def test_vary_header_names_htmx_cookie_and_language(client, catalogue):
    for response in (client.get(LIST), client.get(LIST)):
        vary = {v.strip() for v in response["Vary"].split(",")}
        assert {"HX-Request", "Cookie", "Accept-Language"} <= vary


def test_htmx_and_full_page_are_cached_separately(client, catalogue):
    client.get(LIST, {"q": "Herz"})
    fragment = client.get(LIST, {"q": "Herz"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode()
    full = client.get(LIST, {"q": "Herz"})
    assert "<html" in full.content.decode()


def test_languages_are_cached_separately(client, catalogue):
    Program.objects.filter(pk=catalogue.hzv.pk).update(title_en="GP-centred care")
    bump_catalogue_version()
    german = client.get(detail_url("hausarztprogramm-bw"))
    english = client.get(detail_url("hausarztprogramm-bw"), headers={"Accept-Language": "en"})
    assert "GP-centred care" in english.content.decode()
    assert "GP-centred care" not in german.content.decode()


def test_staff_edit_of_a_program_invalidates(client, catalogue):
    client.get(detail_url("ccc-integrativ"))
    version = catalogue_version()
    program = Program.objects.get(slug="ccc-integrativ")
    program.summary = "Neue Beschreibung der integrativen Onkologie."
    program.save()
    assert catalogue_version() != version
    response = client.get(detail_url("ccc-integrativ"))
    assert response["X-Catalogue-Cache"] == "miss"
    assert "Neue Beschreibung" in response.content.decode()


def test_unpublishing_hides_the_program_at_once(client, catalogue):
    assert client.get(LIST, {"q": "Kinzigtal"}).context["page"].paginator.count == 1
    program = Program.objects.get(pk=catalogue.kinzigtal.pk)
    program.is_published = False
    program.save()  # what the admin's change form does
    assert client.get(LIST, {"q": "Kinzigtal"}).context["page"].paginator.count == 0


def test_region_and_participation_changes_invalidate(client, catalogue):
    client.get(reverse("home"), {"plz": "77652"})
    version = catalogue_version()
    catalogue.kinzigtal.region_gemeinden.add(catalogue.gemeinden["offenburg"])
    assert catalogue_version() != version
    version = catalogue_version()
    make_provider("Neue Praxis", 48.47, 7.94, contracts=[catalogue.hzv.contracts.get()])
    assert catalogue_version() != version
    version = catalogue_version()
    ContractParticipation.objects.filter(provider__name="Neue Praxis").delete()
    assert catalogue_version() != version


def test_logged_in_visitors_are_not_cached(client, catalogue):
    client.force_login(UserFactory())
    first = client.get(LIST)
    second = client.get(LIST)
    assert "X-Catalogue-Cache" not in first and "X-Catalogue-Cache" not in second


def test_cached_page_gets_this_visitors_csrf_token_and_nonce(client, catalogue):
    client.get(LIST)
    other = type(client)(enforce_csrf_checks=True)
    response = other.get(LIST)
    html = response.content.decode()
    assert response["X-Catalogue-Cache"] == "hit"
    assert CSRF_PLACEHOLDER not in html and NONCE_PLACEHOLDER not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    nonce = re.search(r'<script[^>]+nonce="([^"]+)"', html).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert "csrftoken" in response.cookies
    # The token works for this visitor: switching the language is a CSRF-protected POST.
    switched = other.post(reverse("set_language"), {"language": "en", "next": LIST, "csrfmiddlewaretoken": token})
    assert switched.status_code == 302


def test_pages_with_errors_and_messages_are_still_correct(client, catalogue):
    first = client.get(LIST, {"alter": "abc"})
    second = client.get(LIST, {"alter": "abc"})
    assert second["X-Catalogue-Cache"] == "hit"
    assert first.content.count(b"Fehler") == second.content.count(b"Fehler") > 0


def _redis_reachable(url: str) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:
        return False
    return True


REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.mark.skipif(not _redis_reachable(REDIS_URL), reason="needs Redis on 127.0.0.1:6379")
def test_staff_edit_reaches_other_processes_through_shared_redis_cache(client, catalogue, settings):
    """Production runs several workers: the bump must travel through the shared cache."""
    from programs import caching

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    from django.core.cache import cache

    cache.clear()

    def as_another_process():
        caching._memo.clear()  # a fresh worker: no memoised version, no in-memory pages
        caching.clear_local_pages()

    as_another_process()  # forget what the fixtures memoised from the per-process test cache
    assert client.get(detail_url("ccc-integrativ"))["X-Catalogue-Cache"] == "miss"
    as_another_process()
    assert client.get(detail_url("ccc-integrativ"))["X-Catalogue-Cache"] == "hit"  # read from Redis

    program = Program.objects.get(slug="ccc-integrativ")
    program.summary = "Geänderte Beschreibung aus der Verwaltung."
    program.save()
    as_another_process()
    response = client.get(detail_url("ccc-integrativ"))
    assert response["X-Catalogue-Cache"] == "miss"
    assert "Geänderte Beschreibung" in response.content.decode()
    cache.clear()


# --- reads memoised per catalogue version (programs.caching.per_catalogue_version) ------------


def test_memoised_reads_follow_the_catalogue_version(client, catalogue, django_assert_num_queries, settings):
    """Signed-in pages are never cached, but the funds, a program with its contracts and what a
    postal code stands for are read once per catalogue version: a staff edit shows at once."""
    from django.utils import timezone

    from programs.models import Fund, PostalCode
    from programs.selectors import funds_list, program_for_detail, resolve_place

    settings.CATALOGUE_PAGE_CACHE = False
    before = funds_list()
    with django_assert_num_queries(0):
        assert funds_list() == before
    fund = Fund.objects.order_by("pk").first()
    fund.name = "AOK Umbenannt"
    fund.save()
    assert "AOK Umbenannt" in [f.name for f in funds_list()]

    program = Program.objects.filter(is_published=True).first()
    today = timezone.localdate()
    first = program_for_detail(program.slug, on=today)
    assert program_for_detail(program.slug, on=today) is first
    program.title = "Neuer Titel"
    program.save()
    assert program_for_detail(program.slug, on=today).title == "Neuer Titel"

    place = resolve_place("99999")
    assert not place.groups
    PostalCode.objects.create(code="99999", place="Neuort", land_id="TH", latitude=50.9, longitude=11.0)
    assert resolve_place("99999").groups  # a new postal code is seen at once
    # the page of a program for a PLZ renders with the fresh data
    response = client.get(detail_url(program.slug))
    assert "Neuer Titel" in response.content.decode()
