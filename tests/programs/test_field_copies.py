"""Forms built on every request copy their fields one level deep (`copies_fields_cheaply`).

What a form instance changes — choices, required, widget attributes, error messages,
validators — must stay with that instance, exactly as with Django's deep copy; and the forms
render the same markup as an undecorated twin.
"""

from __future__ import annotations

import copy

import pytest
from django import forms
from django.core.validators import MaxLengthValidator

from programs.forms import (
    CatalogueForm,
    DeadlineCalculatorForm,
    PersonForm,
    PlaceForm,
    copied_field,
    copies_fields_cheaply,
)
from providers.forms import ProviderSearchForm

DECORATED = [CatalogueForm, DeadlineCalculatorForm, PersonForm, PlaceForm, ProviderSearchForm]


@copies_fields_cheaply
class Sample(forms.Form):
    name = forms.CharField(max_length=10, widget=forms.TextInput(attrs={"class": "x"}))
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    kinds = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)
    when = forms.SplitDateTimeField()  # a field with a copy of its own


def test_each_instance_owns_what_a_view_may_change():
    first, second = Sample(), Sample()
    for name in Sample.base_fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].widget is not second.fields[name].widget

    first.fields["kind"].choices = [("c", "C")]
    first.fields["kind"].required = False
    first.fields["name"].widget.attrs["class"] = "changed"
    first.fields["name"].error_messages["required"] = "changed"
    first.fields["name"].validators.append(MaxLengthValidator(1))
    first.fields["kinds"].choices.append(("z", "Z"))
    first.fields["kinds"].widget.choices.append(("y", "Y"))
    first.fields["when"].fields[0].label = "changed"

    for form in (second, Sample()):
        assert list(form.fields["kind"].choices) == [("a", "A"), ("b", "B")]
        assert list(form.fields["kind"].widget.choices) == [("a", "A"), ("b", "B")]
        assert form.fields["kind"].required is True
        assert form.fields["name"].widget.attrs == {"class": "x", "maxlength": "10"}
        assert form.fields["name"].error_messages["required"] != "changed"
        assert len(form.fields["name"].validators) == len(Sample.base_fields["name"].validators)
        assert list(form.fields["kinds"].choices) == [("a", "A")]
        assert list(form.fields["kinds"].widget.choices) == [("a", "A")]
        assert form.fields["when"].fields[0].label != "changed"


@pytest.mark.parametrize("name", ["name", "kind", "kinds", "when"])
def test_a_copy_equals_djangos_deep_copy(name):
    field = Sample.base_fields[name]
    ours, djangos = copied_field(field), copy.deepcopy(field)
    assert type(ours) is type(djangos)
    assert type(ours.widget) is type(djangos.widget)
    assert set(vars(ours)) == set(vars(djangos))
    assert ours.widget.render("f", None) == djangos.widget.render("f", None)


@pytest.mark.parametrize("form_class", DECORATED, ids=lambda c: c.__name__)
def test_the_decorated_forms_render_as_with_djangos_copy(form_class, db):
    twin = type(f"Plain{form_class.__name__}", (form_class,), {})  # a subclass copies as Django does
    assert type(twin.base_fields) is dict
    data = {"q": "Diabetes", "plz": "7017", "alter": "200", "typ": ["dmp"], "vertrag_beginn": "2026-01-01"}
    ours, djangos = form_class(data), twin(data)
    assert ours.is_valid() == djangos.is_valid()
    assert ours.errors == djangos.errors
    assert [str(bf.as_field_group()) for bf in ours] == [str(bf.as_field_group()) for bf in djangos]
