"""The Python form markup (config/form_html.py) equals the templates it stands in for.

Every field of a form with every kind of widget, and every form of the project's apps, is
rendered twice: by `KernFormRenderer` (the Python fast path) and by a renderer that renders
templates only (templates/forms/field.html and Django's widget templates). Whitespace between
tags is the only difference allowed.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting

from config.forms import KernFormRenderer
from programs import forms as catalogue_forms


class TemplateOnlyRenderer(KernFormRenderer):
    """The same renderer without the Python fast path."""

    def render(self, template_name, context, request=None):
        return TemplatesSetting.render(self, template_name, context, request=request)


def normalise(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


class EveryWidgetForm(forms.Form):
    text = forms.CharField(label='Name <b>&"', help_text="Hilfe mit <em>Auszeichnung</em>", max_length=20)
    number = forms.IntegerField(required=False, min_value=0, max_value=120)
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    choice = forms.ChoiceField(
        choices=[("", "—"), ("Gruppe <1>", [("a", "A & B"), ("b", 'B "quoted"')]), ("c", "C")], required=False
    )
    several = forms.MultipleChoiceField(choices=[("1", "eins"), ("2", "zwei")], required=False)
    radio = forms.ChoiceField(widget=forms.RadioSelect, choices=[("x", "X"), ("y", "Y")])
    checks = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, choices=[("Gruppe", [("p", "P"), ("q", "Q")]), ("r", "R")], required=False
    )
    agree = forms.BooleanField(required=False, help_text="Bitte bestätigen")
    when = forms.SplitDateTimeField(required=False)
    fast_select = forms.ChoiceField(
        widget=catalogue_forms.Select, choices=[("1", "eins"), ("2", "<zwei>")], required=False
    )
    fast_radio = forms.ChoiceField(
        widget=catalogue_forms.RadioSelect, choices=[("1", "eins"), ("2", "zwei")], required=False
    )
    fast_checks = forms.MultipleChoiceField(
        widget=catalogue_forms.CheckboxSelectMultiple, choices=[("1", "eins"), ("2", "zwei")], required=False
    )
    flags = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"readonly": True, "disabled": False, "data-x": 'a"b'})
    )

    def clean(self):
        raise forms.ValidationError("Ein Fehler des ganzen Formulars <script>")


BOUND = {
    "text": 'zu lang <script>alert("x")</script>',
    "number": "300",
    "email": "keine-adresse",
    "hidden": "h&i",
    "day": "2026-02-30",
    "note": "Zeile 1\n<Zeile 2>",
    "choice": "b",
    "several": ["1", "2"],
    "radio": "z",
    "checks": ["q", "r"],
    "agree": "on",
    "when_0": "2026-12-04",
    "when_1": "25:00",
    "fast_select": "2",
    "fast_radio": "1",
    "fast_checks": ["2"],
}


def both(form_class, **kwargs) -> tuple[forms.Form, forms.Form]:
    fast = form_class(renderer=KernFormRenderer(), **kwargs)
    slow = form_class(renderer=TemplateOnlyRenderer(), **kwargs)
    return fast, slow


@pytest.mark.parametrize("data", [None, BOUND, {"radio": "x"}], ids=["unbound", "errors", "valid"])
def test_every_widget_renders_like_its_template(data):
    fast, slow = both(EveryWidgetForm, data=data)
    assert normalise(fast.as_div()) == normalise(slow.as_div())
    for name in fast.fields:
        assert normalise(fast[name].as_field_group()) == normalise(slow[name].as_field_group()), name
        assert normalise(fast[name]) == normalise(slow[name]), name


def test_the_fast_path_escapes():
    fast, _slow = both(EveryWidgetForm, data=BOUND)
    html = str(fast.as_div())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Name &lt;b&gt;&amp;&quot;" in html and "<em>Auszeichnung</em>" in html  # help text is markup
    assert 'data-x="a&quot;b"' in html and " readonly" in html and "disabled" not in html


def project_form_classes():
    """Every form class defined in the project's apps that takes no required constructor argument."""
    found = []
    for module_name in ("programs.forms", "enrollment.forms", "enrollment.accounts.forms", "legal.forms"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.BaseForm)
                and cls.__module__ == module_name
                and not issubclass(cls, forms.ModelForm)
            ):
                found.append(cls)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", project_form_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_project_forms_render_like_their_templates(form_class):
    for data in (None, {}):
        try:
            fast, slow = both(form_class, data=data)
        except TypeError:
            pytest.skip("needs constructor arguments")
        if data is not None:
            fast.is_valid(), slow.is_valid()
        assert normalise(fast.as_div()) == normalise(slow.as_div())


def test_catalogue_filter_form_with_values():
    data = {"q": "Diabetes", "plz": "7017", "alter": "200", "typ": ["dmp"], "sortierung": "name", "online": "on"}
    fast, slow = both(catalogue_forms.CatalogueForm, data=data, funds=[])
    fast.is_valid(), slow.is_valid()
    assert fast.errors  # the wrong postal code and age render their messages
    assert normalise(fast.as_div()) == normalise(slow.as_div())


def test_dates_render_as_their_template(settings):
    class DateForm(forms.Form):
        day = forms.DateField(initial=dt.date(2026, 12, 4))

    fast, slow = both(DateForm)
    assert normalise(fast.as_div()) == normalise(slow.as_div())
