"""No server error for hostile input in the admin (issue 8, section 7): NUL bytes in search and
autocomplete, out-of-range date-hierarchy values, and the admin's query parameters fuzzed with
hypothesis over every registered changelist."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
CHANGELISTS = [(reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist"), a) for m, a in REGISTRY]


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def clerk_client(world):
    own, _other = world
    return _client(own.clerk)


@pytest.mark.parametrize("term", ["\x00", "A12\x003", "%00"])
def test_nul_bytes_in_search_and_autocomplete_are_no_server_error(clerk_client, term):
    for path, _model_admin in CHANGELISTS:
        assert clerk_client.get(path, {"q": term}).status_code < 500, path
    response = clerk_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "enrollment", "model_name": "participation", "field_name": "person", "term": term},
    )
    assert response.status_code < 500


@pytest.mark.parametrize(
    "params",
    [
        {"declared_at__year": "9999", "declared_at__month": "12"},
        {"declared_at__year": "9999", "declared_at__month": "12", "declared_at__day": "31"},
        {"declared_at__year": "99999"},
        {"declared_at__year": "0"},
        {"declared_at__year": "-1"},
        {"declared_at__year": "1", "declared_at__month": "1", "declared_at__day": "1"},
        {"declared_at__year": "2026", "declared_at__month": "13"},
        {"declared_at__year": "2026", "declared_at__month": "2", "declared_at__day": "30"},
        {"declared_at__year": "1e5"},
    ],
)
def test_out_of_range_date_hierarchy_is_no_server_error(clerk_client, params):
    response = clerk_client.get(reverse("admin:enrollment_participation_changelist"), params)
    assert response.status_code < 500


def test_empty_to_field_is_no_server_error(clerk_client, world):
    """Found by the fuzzer: `?_to_field=` (empty) gave HTTP 500 on every change page."""
    own, _other = world
    for path in (
        f"/verwaltung/enrollment/insuredperson/{own.adult.pk}/change/",
        "/verwaltung/auth/group/None/change/",
        "/verwaltung/enrollment/participation/None/history/",
    ):
        assert clerk_client.get(path, {"_to_field": ""}).status_code < 500, path


_text = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.sampled_from(["\x00", "%", "_", "'", '"', "\\", "-", "0", "9", "a", "ß", " "]), max_size=8),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["", "9999", "10000", "0", "-1", "1e5", "NaN", "inf", "id", "pk", "__", "null"]),
)


def _keys(model_admin):
    keys = ["q", "o", "p", "e", "all", "_to_field", "_popup", "_facets", "vorrat", "action"]
    if model_admin.date_hierarchy:
        keys += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    for entry in model_admin.list_filter:
        name = entry if isinstance(entry, str) else getattr(entry, "parameter_name", None) or entry[0]
        if isinstance(name, str):
            keys += [name, f"{name}__exact", f"{name}__id__exact", f"{name}__isnull"]
    return keys


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzzed_admin_query_parameters_never_give_a_server_error(clerk_client, data):
    path, model_admin = data.draw(st.sampled_from(CHANGELISTS))
    keys = _keys(model_admin)
    params = data.draw(
        st.dictionaries(st.one_of(st.sampled_from(keys), st.text(max_size=6)), _text, max_size=4), label="params"
    )
    response = clerk_client.get(path, params)
    assert response.status_code < 500, (path, params)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(term=_text, field=st.sampled_from(["person", "contract", "program", "signer", "provider", "x\x00"]))
def test_fuzzed_autocomplete_never_gives_a_server_error(clerk_client, term, field):
    response = clerk_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "enrollment", "model_name": "participation", "field_name": field, "term": term},
    )
    assert response.status_code < 500, (field, term)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_object_pages_never_give_a_server_error(world, data):
    """Change, history and delete pages of the clerk's own rows, with fuzzed parameters and ids."""
    from programs.admin_scoping import OPERATOR_ONLY, SHARED, declaration_for, scope

    own, _other = world
    client = _client(own.clerk)
    model, _model_admin = data.draw(st.sampled_from(REGISTRY))
    if declaration_for(model) in (SHARED, OPERATOR_ONLY):
        pk = model._default_manager.values_list("pk", flat=True).first()
    else:
        pk = scope(model._default_manager.all(), own.clerk, declaration_for(model)).values_list("pk", flat=True).first()
    object_id = data.draw(st.one_of(st.just(str(pk)), _text.filter(lambda s: "/" not in s and s.strip())))
    view = data.draw(st.sampled_from(["change", "history", "delete"]))
    params = data.draw(
        st.dictionaries(st.sampled_from(["_to_field", "_popup", "_changelist_filters", "q"]), _text, max_size=2)
    )
    path = f"/verwaltung/{model._meta.app_label}/{model._meta.model_name}/{object_id}/{view}/"
    response = client.get(path, params)
    assert response.status_code < 500, (path, params)
