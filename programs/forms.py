"""GET forms of the public catalogue. They validate input only; lookups happen in selectors.

Every field is optional unless a page cannot work without it, and no input makes a page
fail: wrong values become form errors with plain messages, the page renders with the
valid fields (see the views). URL parameter names are German (they show in shared links).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from functools import cache

from django import forms
from django.forms import fields, widgets
from django.forms.boundfield import BoundField
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from programs import dates
from programs.aok import LAENDER
from programs.caching import memoised_fragment
from programs.models import DmpIndication, ProgramType
from programs.search import MAX_QUERY_LENGTH

MIN_AGE, MAX_AGE = 0, 120


class Select(forms.Select):
    """`forms.Select` rendered by one template (Django's includes a template per option)."""

    template_name = "programs/widgets/select.html"


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    option_template_name = "programs/widgets/check_option.html"


class RadioSelect(forms.RadioSelect):
    option_template_name = "programs/widgets/check_option.html"


_SPACES = re.compile(r"\s+")


def clean_postal_code(value: str) -> str:
    """5 digits (spaces removed); raises ValidationError with a plain message otherwise."""
    value = _SPACES.sub("", value or "")
    if not value:
        return ""
    if len(value) > 20 or not value.isascii() or not value.isdigit() or len(value) != 5:
        raise forms.ValidationError(
            _("Eine Postleitzahl hat genau fünf Ziffern, zum Beispiel 77716."), code="plz_format"
        )
    if value.startswith("00"):
        raise forms.ValidationError(_("Postleitzahlen beginnen nicht mit 00."), code="plz_range")
    return value


class PostalCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Postleitzahl"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "postal-code", "class": "app-input--short", "size": "7"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return clean_postal_code(value)


class AgeField(forms.CharField):
    """An age in whole years, 0–120; text input so every wrong entry gets our message."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Alter in Jahren"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "class": "app-input--short", "size": "4"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        if len(value) > 10 or not re.fullmatch(r"[+-]?\d+", value):
            raise forms.ValidationError(
                _("Bitte geben Sie das Alter als ganze Zahl an, zum Beispiel 42."), code="age_nan"
            )
        age = int(value)
        if age < MIN_AGE:
            raise forms.ValidationError(_("Das Alter kann nicht negativ sein."), code="age_negative")
        if age > MAX_AGE:
            raise forms.ValidationError(
                _("Bitte geben Sie ein Alter bis %(max)s Jahre an.") % {"max": MAX_AGE}, code="age_too_high"
            )
        return age


@cache
def memoised_field_class(base: type[BoundField]) -> type[BoundField]:
    """`base` (the form renderer's bound field, KERN markup) whose markup for a given value is
    rendered once per catalogue version and language (`memoised_fragment`)."""

    class MemoisedFilterField(base):
        def as_field_group(self) -> SafeString:
            if self.errors:  # the message is the visitor's
                return super().as_field_group()
            value = self.value()
            key = (
                type(self.form).__qualname__,
                self.html_name,
                self.auto_id,
                tuple(value) if isinstance(value, list) else value,
            )
            return mark_safe(memoised_fragment("filter-field", key, lambda: str(base.as_field_group(self))))

    return MemoisedFilterField


#: Stands in for a text field's value while its markup is rendered for the memo: letters and
#: digits only, so escaping leaves it as it is and it is found exactly once.
_VALUE_SLOT = "vlvalueslot7c1e9b"


@cache
def memoised_text_field_class(base: type[BoundField]) -> type[BoundField]:
    """`base` whose markup is rendered once per catalogue version and language with a slot for
    the value, which each request fills in, escaped as the template escapes it. Whatever the
    visitor typed never enters the memo."""

    class MemoisedTextField(base):
        def as_field_group(self) -> SafeString:
            value = self.value()
            if value is None:  # an unbound field renders as an empty one
                value = ""
            if self.errors or not isinstance(value, str):  # the message is the visitor's
                return super().as_field_group()
            key = (type(self.form).__qualname__, self.html_name, self.auto_id, bool(value))
            if not value:
                return mark_safe(memoised_fragment("text-field", key, lambda: str(base.as_field_group(self))))
            markup = memoised_fragment("text-field", key, lambda: self._with_slot())
            if markup.count(_VALUE_SLOT) != 1:
                return super().as_field_group()
            return mark_safe(markup.replace(_VALUE_SLOT, escape(value)))

        def _with_slot(self) -> str:
            self.value = lambda: _VALUE_SLOT
            try:
                return str(base.as_field_group(self))
            finally:
                del self.value

    return MemoisedTextField


class MemoisedFilters:
    """Form mixin: the fields named in `memoised_filters` (filters whose choices follow from the
    catalogue: types, conditions, funds, sort orders) render once per value; the text fields
    named in `memoised_text_fields` once, with the value filled in. Never for a field whose
    choices hold personal data."""

    memoised_filters: tuple[str, ...] = ()
    memoised_text_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        base = self.bound_field_class or BoundField
        for names, field_class in (
            (self.memoised_filters, memoised_field_class(base)),
            (self.memoised_text_fields, memoised_text_field_class(base)),
        ):
            for name in names:
                self.fields[name].bound_field_class = field_class


# Copies of a form's fields ----------------------------------------------------------------
#
# Django gives every form instance its own fields with `copy.deepcopy(base_fields)`; for a
# choice field that includes a deep copy of every choice. On the catalogue's filter form that
# was 0.12 ms of a 2 ms page (issue 11). `copies_fields_cheaply` makes the same copies one level
# deep: each instance still owns its fields, widgets, widget attributes, error messages,
# validators and choice lists (a view may change any of them), only the choices themselves —
# tuples of values and labels — are shared, as they are never changed in place.

_PLAIN_FIELD_COPIES = (fields.Field.__deepcopy__, fields.ChoiceField.__deepcopy__)
_PLAIN_WIDGET_COPIES = (widgets.Widget.__deepcopy__, widgets.ChoiceWidget.__deepcopy__)


def _copied(obj):
    result = object.__new__(type(obj))
    result.__dict__.update(obj.__dict__)
    return result


def copied_field(field: fields.Field) -> fields.Field:
    """What `copy.deepcopy(field)` gives, for the choices one level deep (see above); any field
    or widget with a copy of its own (multi-value fields, model choices) is deep-copied."""
    widget = field.widget
    if type(field).__deepcopy__ not in _PLAIN_FIELD_COPIES or type(widget).__deepcopy__ not in _PLAIN_WIDGET_COPIES:
        return copy.deepcopy(field)
    result = _copied(field)
    result.widget = _copied(widget)
    result.widget.attrs = widget.attrs.copy()
    if isinstance(widget, widgets.ChoiceWidget):
        result.widget.choices = copy.copy(widget.choices)
    if isinstance(field, fields.ChoiceField):
        result._choices = copy.copy(field._choices)
    result.error_messages = field.error_messages.copy()
    result.validators = field.validators[:]
    return result


class _CheaplyCopiedFields(dict):
    def __deepcopy__(self, memo):
        return {name: copied_field(field) for name, field in self.items()}


def copies_fields_cheaply(form_class):
    """Class decorator for a form built on every request: its instances copy their fields with
    `copied_field`. (A subclass copies as Django does unless it is decorated too.)"""
    form_class.base_fields = _CheaplyCopiedFields(form_class.base_fields)
    return form_class


class PlaceChoiceField(forms.ChoiceField):
    """Required when shown (no "optional" marker), but only enforced once the person has
    answered the question (`enforce_required`), so the first display shows no error."""

    enforce_required = False

    def validate(self, value):
        if value in self.empty_values and not self.enforce_required:
            return
        super().validate(value)


@copies_fields_cheaply
class PlaceForm(MemoisedFilters, forms.Form):
    """Home page: "Wo wohnen Sie?" — the PLZ, and the place when the PLZ is ambiguous."""

    memoised_text_fields = ("plz",)

    plz = PostalCodeField(
        label=_("Ihre Postleitzahl"),
        required=True,
        help_text=_("Fünf Ziffern, zum Beispiel 77716. Wir zeigen die zuständige AOK und ihre Programme."),
        error_messages={"required": _("Bitte geben Sie Ihre Postleitzahl ein.")},
    )
    ort = PlaceChoiceField(
        label=_("Ihr Wohnort"),
        required=False,
        widget=RadioSelect,
        help_text=_("Ihre Postleitzahl gehört zu mehreren Orten. Bitte wählen Sie Ihren Wohnort."),
        error_messages={
            "required": _("Bitte wählen Sie Ihren Wohnort."),
            "invalid_choice": _("Bitte wählen Sie einen der angezeigten Orte."),
        },
    )
    #: Hidden marker sent with the place question, so a missing answer is an error.
    ASKED = "ortwahl"

    def set_place_choices(self, groups) -> None:
        field = self.fields["ort"]
        field.choices = [(g.key, g.label) for g in groups]
        if len(groups) > 1:
            field.required = True
            field.enforce_required = bool(self.data.get(self.ASKED))


@copies_fields_cheaply
class CatalogueForm(MemoisedFilters, forms.Form):
    """Filters and search of the program list (all optional, all in the URL)."""

    memoised_filters = ("typ", "erkrankung", "kasse", "online", "alle", "sortierung")
    memoised_text_fields = ("q", "plz", "alter")

    q = forms.CharField(
        label=_("Suchbegriff"),
        required=False,
        strip=True,
        help_text=_("Zum Beispiel eine Erkrankung, ein Programmname oder ein Ort"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    typ = forms.MultipleChoiceField(
        label=_("Art des Programms"), required=False, choices=ProgramType.choices, widget=CheckboxSelectMultiple
    )
    erkrankung = forms.ChoiceField(
        label=_("Erkrankung"),
        required=False,
        choices=[("", _("alle Erkrankungen")), *DmpIndication.choices],
        widget=Select,
    )
    kasse = forms.ChoiceField(label=_("Krankenkasse"), required=False, widget=Select)
    plz = PostalCodeField(help_text=_("Zeigt die Programme, die es dort gibt"))
    ort = forms.CharField(required=False, widget=forms.HiddenInput)
    alter = AgeField()
    online = forms.BooleanField(label=_("nur Programme mit Online-Teilnahme"), required=False)
    alle = forms.BooleanField(
        label=_("auch Programme zeigen, an denen ich nicht teilnehmen kann"),
        required=False,
        help_text=_("Mit Postleitzahl oder Alter: die Gründe stehen beim Programm"),
    )
    sortierung = forms.ChoiceField(
        label=_("Sortierung"),
        required=False,
        choices=[("relevance", _("Relevanz")), ("name", _("Name"))],
        widget=Select,
    )

    def __init__(self, *args, funds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kasse"].choices = [("", _("alle Krankenkassen"))] + [(f.slug, f.name) for f in funds]
        self.truncated_query = False

    def clean_q(self) -> str:
        value = self.cleaned_data.get("q") or ""
        if len(value) > MAX_QUERY_LENGTH:
            self.truncated_query = True
            value = value[:MAX_QUERY_LENGTH]
        return value


@copies_fields_cheaply
class PersonForm(MemoisedFilters, forms.Form):
    """Detail page: PLZ and age for eligibility and for providers nearby."""

    memoised_text_fields = ("plz", "alter")

    plz = PostalCodeField(help_text=_("Für Teilnehmende in Ihrer Nähe"))
    ort = forms.CharField(required=False, widget=forms.HiddenInput)
    alter = AgeField()


LAND_CHOICES = [(land["code"], _(land["name"])) for land in sorted(LAENDER, key=lambda item: item["name"])]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


@copies_fields_cheaply
class DeadlineCalculatorForm(forms.Form):
    """ "Bis wann kann ich widerrufen?" — dates and the Land whose holidays count."""

    MIN_DATE = dt.date(2000, 1, 1)
    MAX_DATE = dt.date(2099, 12, 31)
    DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]

    erklaerung = forms.DateField(
        label=_("Tag der Teilnahmeerklärung"),
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        help_text=_("Der Tag, an dem Sie die Erklärung abgegeben haben, zum Beispiel 12.03.2027"),
        error_messages={
            "required": _("Bitte geben Sie den Tag Ihrer Teilnahmeerklärung an."),
            "invalid": _("Bitte geben Sie ein Datum an, zum Beispiel 12.03.2027."),
        },
    )
    belehrung = forms.DateField(
        label=_("Tag der Widerrufsbelehrung"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
        help_text=_("Wenn Sie die Belehrung später erhalten haben; leer: zusammen mit der Erklärung"),
        error_messages={"invalid": _("Bitte geben Sie ein Datum an, zum Beispiel 12.03.2027.")},
    )
    land = forms.ChoiceField(
        label=_("Bundesland, in dem Sie wohnen"),
        choices=[("", _("bitte wählen")), *LAND_CHOICES],
        widget=Select,
        error_messages={"required": _("Bitte wählen Sie Ihr Bundesland.")},
    )
    kasse = forms.ChoiceField(
        label=_("Ihre Krankenkasse"),
        required=False,
        widget=Select,
        help_text=_("Feiertage am Sitz Ihrer Kasse verlängern die Frist ebenfalls"),
    )

    def __init__(self, *args, funds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kasse"].choices = [("", _("keine Angabe"))] + [(f.slug, f.name) for f in funds]

    def _check_range(self, name: str) -> dt.date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not (self.MIN_DATE <= value <= self.MAX_DATE):
            raise forms.ValidationError(
                _("Bitte geben Sie ein Datum zwischen %(min)s und %(max)s an.")
                % {"min": dates.short_date(self.MIN_DATE), "max": dates.short_date(self.MAX_DATE)}
            )
        return value

    def clean_erklaerung(self):
        return self._check_range("erklaerung")

    def clean_belehrung(self):
        return self._check_range("belehrung")
