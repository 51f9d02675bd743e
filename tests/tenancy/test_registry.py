"""Tenancy tests generated from the admin registry: every registered model, its inlines and
every related-object field are tried by a clerk of AOK BW (with every permission there is)
against the rows of AOK PLUS. A model registered later is covered without a new test; it
only needs a row per fund in `tests.fixtures.tenancy.world` (the test says so when one is missing)."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite, ModelAdmin
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse

from programs.admin_scoping import OPERATOR_ONLY, SHARED, TenantAdmin, declaration_for, scope, tenancy_errors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def rows_of(model, fund, user_of_fund):
    """The rows of `model` that belong to `fund` according to the model's declaration."""
    return scope(model._default_manager.all(), user_of_fund, declaration_for(model))


def fund_scoped(model) -> bool:
    return declaration_for(model) not in (SHARED, OPERATOR_ONLY, None)


def snapshot(obj):
    fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
    return None if fresh is None else model_to_dict(fresh)


def test_every_registered_admin_declares_its_tenancy():
    assert tenancy_errors(admin.site) == []


def test_the_registry_check_fails_for_an_admin_without_declaration():
    from enrollment.models import InsuredPerson, Participation
    from providers.models import Provider

    site = AdminSite(name="probe")
    site.register(InsuredPerson, ModelAdmin)
    site.register(Participation, type("NoPath", (TenantAdmin,), {}))
    site.register(Provider, type("WrongPath", (TenantAdmin,), {"fund_path": "land"}))
    ids = sorted(e.id for e in tenancy_errors(site))
    assert ids.count("tenancy.E001") == 1 and ids.count("tenancy.E002") == 2
    assert "tenancy.E003" in ids  # e.g. Fund and User are offered as related objects without a declaration


def test_every_fund_scoped_model_has_rows_of_both_funds_in_the_world(world):
    own, other = world
    for model, _model_admin in REGISTRY:
        if fund_scoped(model):
            assert rows_of(model, other.fund, other.clerk).exists(), (
                f"add a {model._meta.label} row to tests/fixtures/tenancy.py"
            )
            assert rows_of(model, own.fund, own.clerk).exists(), (
                f"add a {model._meta.label} row to tests/fixtures/tenancy.py"
            )


def test_clerk_reaches_no_page_of_another_funds_rows(client, world, subtests):
    own, other = world
    client.force_login(own.clerk)
    for model, model_admin in REGISTRY:
        declaration = declaration_for(model)
        with subtests.test(model=model._meta.label, declaration=declaration):
            changelist = client.get(url(model, "changelist"))
            if declaration == OPERATOR_ONLY:
                assert changelist.status_code == 403
                continue
            assert changelist.status_code == 200
            if declaration == SHARED:
                continue
            foreign = list(rows_of(model, other.fund, other.clerk))
            page = changelist.content.decode()
            for obj in foreign:
                before = snapshot(obj)
                assert url(model, "change", obj.pk) not in page
                search = client.get(url(model, "changelist"), {"q": str(obj)[:40]}).content.decode()
                assert url(model, "change", obj.pk) not in search
                popup = client.get(url(model, "changelist"), {"_to_field": "id", "_popup": "1"}).content.decode()
                assert f'data-popup-opener="{obj.pk}"' not in popup
                for view in ("change", "history", "delete"):
                    response = client.get(url(model, view, obj.pk))
                    assert response.status_code in (302, 403, 404), (view, response.status_code)
                    if response.status_code == 302:
                        assert str(obj.pk) not in response["Location"].replace(reverse("admin:index"), "")
                assert client.get(url(model, "change", obj.pk), {"_to_field": "id"}).status_code in (302, 400, 403, 404)
                client.post(url(model, "delete", obj.pk), {"post": "yes"})
                for action in model_admin.get_actions(_request(own.clerk)):
                    client.post(
                        url(model, "changelist"), {"action": action, "_selected_action": [obj.pk], "post": "yes"}
                    )
                client.post(url(model, "change", obj.pk), {})
                assert snapshot(obj) == before, "a row of another fund was changed or deleted"


def test_shared_master_data_is_read_only_for_clerks(client, world, subtests):
    own, _other = world
    client.force_login(own.clerk)
    request = _request(own.clerk)
    for model, model_admin in REGISTRY:
        if declaration_for(model) not in (SHARED, OPERATOR_ONLY):
            continue
        with subtests.test(model=model._meta.label):
            obj = model._default_manager.first()
            assert not model_admin.has_add_permission(request)
            assert not model_admin.has_change_permission(request, obj)
            assert not model_admin.has_delete_permission(request, obj)
            if obj is not None:
                before = snapshot(obj)
                client.post(url(model, "change", obj.pk), {})
                client.post(url(model, "delete", obj.pk), {"post": "yes"})
                assert snapshot(obj) == before


def _request(user, path="/verwaltung/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def _choice_fields(model_admin, request, obj=None):
    """(label, form field) of every related-object choice the admin's forms offer, inlines included."""
    fields = []
    form = model_admin.get_form(request, obj)
    fields += [(f"{model_admin.model._meta.label}.{n}", f) for n, f in form.base_fields.items()]
    for formset, inline in model_admin.get_formsets_with_inlines(request, obj):
        fields += [(f"{inline.model._meta.label}.{n} (inline)", f) for n, f in formset.form.base_fields.items()]
    return [(label, f) for label, f in fields if hasattr(f, "queryset")]


def test_clerk_is_offered_no_related_object_of_another_fund(world, subtests):
    """Foreign keys, many-to-many and raw ids: the form field's queryset is what validation accepts."""
    own, other = world
    request = _request(own.clerk)
    for model, model_admin in REGISTRY:
        if not model_admin.has_view_permission(request):
            continue
        own_obj = rows_of(model, own.fund, own.clerk).first() if fund_scoped(model) else None
        for obj in {None, own_obj}:
            for label, field in _choice_fields(model_admin, request, obj):
                related = field.queryset.model
                with subtests.test(field=label, change=obj is not None):
                    offered = set(field.queryset.values_list("pk", flat=True))
                    declaration = declaration_for(related)
                    if declaration == OPERATOR_ONLY:
                        assert offered == set()
                    elif declaration != SHARED:
                        foreign = set(rows_of(related, other.fund, other.clerk).values_list("pk", flat=True))
                        assert foreign, f"no {related._meta.label} rows of the other fund in the world"
                        assert not offered & foreign


def test_autocomplete_offers_no_row_of_another_fund(client, world, subtests):
    own, other = world
    client.force_login(own.clerk)
    for model, model_admin in REGISTRY:
        sources = [(model, model_admin)] + [(i.model, i) for i in model_admin.inlines]
        for source, _source_admin in sources:
            for field in source._meta.get_fields():
                if not (field.concrete and (field.many_to_one or field.many_to_many or field.one_to_one)):
                    continue
                target = field.related_model
                target_admin = admin.site._registry.get(target)
                if target_admin is None or not target_admin.search_fields or not fund_scoped(target):
                    continue
                with subtests.test(field=f"{source._meta.label}.{field.name}"):
                    response = client.get(
                        reverse("admin:autocomplete"),
                        {
                            "app_label": source._meta.app_label,
                            "model_name": source._meta.model_name,
                            "field_name": field.name,
                            "term": "",
                        },
                    )
                    if response.status_code != 200:
                        assert response.status_code in (403, 404)
                        continue
                    ids = {r["id"] for r in json.loads(response.content)["results"]}
                    foreign = {str(pk) for pk in rows_of(target, other.fund, other.clerk).values_list("pk", flat=True)}
                    assert not ids & foreign


def test_related_list_filters_offer_only_own_rows(client, world):
    """A related list filter would list every row of the related model; it lists the reachable ones."""
    from enrollment.models import LegalRepresentation
    from programs.admin_scoping import ScopedRelatedFieldListFilter

    own, other = world
    field = LegalRepresentation._meta.get_field("represented")
    model_admin = admin.site._registry[LegalRepresentation]
    request = _request(own.clerk)
    choices = ScopedRelatedFieldListFilter(
        field, request, {}, LegalRepresentation, model_admin, field_path="represented"
    ).lookup_choices
    pks = {pk for pk, _label in choices}
    assert own.child.pk in pks and other.child.pk not in pks


def test_operator_sees_every_fund(client, world):
    own, other = world
    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    page = client.get(url(type(other.participation), "changelist")).content.decode()
    assert url(type(other.participation), "change", other.participation.pk) in page
    assert url(type(own.participation), "change", own.participation.pk) in page
