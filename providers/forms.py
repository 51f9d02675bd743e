"""GET form of the provider search (validates input only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.forms import CheckboxSelectMultiple, MemoisedFilters, PostalCodeField, Select, copies_fields_cheaply
from providers.models import ProviderKind
from providers.selectors import ACCESSIBILITY_FIELDS

MAX_SPECIALTY_LENGTH = 80
RADIUS_CHOICES_KM = (5, 10, 25, 50, 100)


@copies_fields_cheaply
class ProviderSearchForm(MemoisedFilters, forms.Form):
    memoised_filters = ("art", "barrierefrei", "neue_patienten", "umkreis")
    memoised_text_fields = ("plz", "name", "fachrichtung")

    # Checked by the view (an unknown program is a message, not a form error about slugs).
    programm = forms.CharField(required=False, widget=forms.HiddenInput)
    plz = PostalCodeField(
        label=_("Ihre Postleitzahl"),
        required=True,
        help_text=_("Wir sortieren nach der Entfernung von der Mitte Ihres Postleitzahlgebiets."),
        error_messages={"required": _("Bitte geben Sie Ihre Postleitzahl ein.")},
    )
    art = forms.ChoiceField(
        label=_("Art der Einrichtung"),
        required=False,
        choices=[("", _("alle Arten")), *ProviderKind.choices],
        widget=Select,
    )
    fachrichtung = forms.CharField(
        label=_("Fachrichtung oder Schwerpunkt"),
        required=False,
        help_text=_("Zum Beispiel Allgemeinmedizin, Kardiologie oder Diabetologie"),
    )
    barrierefrei = forms.MultipleChoiceField(
        label=_("Barrierefreiheit"),
        required=False,
        choices=list(ACCESSIBILITY_FIELDS.items()),
        widget=CheckboxSelectMultiple,
    )
    neue_patienten = forms.BooleanField(label=_("nimmt neue Patientinnen und Patienten an"), required=False)
    name = forms.CharField(
        label=_("Name der Praxis oder Einrichtung"),
        required=False,
        help_text=_("Ein Teil des Namens genügt, zum Beispiel „Müller“"),
    )
    umkreis = forms.TypedChoiceField(
        label=_("Umkreis"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", _("automatisch (die nächsten zuerst)")),
            *[(km, _("%(km)s km") % {"km": km}) for km in RADIUS_CHOICES_KM],
        ],
        widget=Select,
        error_messages={"invalid_choice": _("Bitte wählen Sie einen Umkreis aus der Liste.")},
    )

    def clean_name(self) -> str:
        value = (self.cleaned_data.get("name") or "").strip()
        if len(value) > MAX_SPECIALTY_LENGTH:
            raise forms.ValidationError(_("Bitte geben Sie höchstens %(n)s Zeichen ein.") % {"n": MAX_SPECIALTY_LENGTH})
        return value

    def clean_fachrichtung(self) -> str:
        value = (self.cleaned_data.get("fachrichtung") or "").strip()
        if len(value) > MAX_SPECIALTY_LENGTH:
            raise forms.ValidationError(_("Bitte geben Sie höchstens %(n)s Zeichen ein.") % {"n": MAX_SPECIALTY_LENGTH})
        return value
