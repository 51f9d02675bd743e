"""Forms of the participation pages and of the paper declaration in the admin (validate only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from enrollment.models import Channel, ImportantReason, InstructionMethod, InsuredPerson
from programs.models import Contract
from providers.models import Provider


class PersonChoiceForm(forms.Form):
    """Wizard step 1: for whom (only the persons the eligibility check let through)."""

    person = forms.TypedChoiceField(
        label=_("Für wen geben Sie die Erklärung ab?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Bitte wählen Sie die Person aus, für die Sie die Erklärung abgeben.")},
    )

    def __init__(self, *args, persons: list[InsuredPerson], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, f"{p.first_name} {p.last_name}") for p in persons]
        if len(persons) == 1:
            self.fields["person"].initial = persons[0].pk


class ProviderChoiceForm(forms.Form):
    """Wizard step 2 and the doctor change: one of the participating providers listed."""

    provider = forms.TypedChoiceField(
        label=_("Praxis oder Einrichtung"),
        coerce=int,
        widget=forms.RadioSelect,
        empty_value=None,
        error_messages={"required": _("Bitte wählen Sie eine teilnehmende Praxis aus.")},
    )

    confirm_closed = forms.BooleanField(
        label=_(
            "Ich weiß, dass diese Praxis derzeit keine neuen Patientinnen und Patienten annimmt, und habe mit ihr "
            "geklärt, dass sie mich aufnimmt. Ich binde mich für ein Jahr an diese Praxis."
        ),
        required=False,
    )

    def __init__(self, *args, providers: list[tuple[Provider, float | None]], required: bool, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        if label:
            field.label = label
        field.required = required
        choices = []
        self.closed = set()
        for provider, distance in providers:
            text = f"{provider.name}, {provider.street + ', ' if provider.street else ''}{provider.postal_code} {provider.city}"
            if distance is not None:
                text += f" ({distance:.1f} km)".replace(".", ",")
            if not provider.accepts_new_patients:
                self.closed.add(provider.pk)
                text += " – " + _("nimmt derzeit keine neuen Patientinnen und Patienten an")
            choices.append((provider.pk, text))
        if not required:
            choices.append(("", _("Keine Auswahl – später bei der Praxis angeben")))
        field.choices = choices
        #: True when the chosen practice takes no new patients: the page shows the confirmation.
        self.asks_confirmation = bool(self.data.get("confirm_closed")) or (
            self.is_bound and str(self.data.get("provider")) in {str(pk) for pk in self.closed}
        )

    def clean(self):
        data = super().clean()
        if data.get("provider") in self.closed and not data.get("confirm_closed"):
            self.add_error(
                "confirm_closed",
                _(
                    "Diese Praxis nimmt derzeit keine neuen Patientinnen und Patienten an. Bitte bestätigen Sie, "
                    "dass sie Sie aufnimmt, oder wählen Sie eine andere Praxis."
                ),
            )
        return data


class PostalCodeSearchForm(forms.Form):
    plz = forms.RegexField(
        label=_("Praxen in der Nähe dieser Postleitzahl"),
        regex=r"^\d{5}$",
        required=False,
        max_length=5,
        error_messages={"invalid": _("Eine Postleitzahl besteht aus fünf Ziffern.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "postal-code", "class": "app-input--short"}
        ),
    )


class DeclarationForm(forms.Form):
    """Wizard step 3: the explicit confirmations; the texts are shown above the form."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    declaration = forms.BooleanField(
        label=_("Ich habe die Teilnahmeerklärung gelesen und erkläre hiermit meine Teilnahme."),
        error_messages={"required": _("Bitte bestätigen Sie die Teilnahmeerklärung.")},
    )
    data_transfer = forms.BooleanField(
        label=_("Ich willige in die beschriebene Übermittlung und Verarbeitung meiner Daten ein."),
        error_messages={"required": _("Ohne Einwilligung in die Datenübermittlung ist keine Teilnahme möglich.")},
    )
    revocation_instruction = forms.BooleanField(
        label=_("Ich habe die Belehrung über mein Widerrufsrecht erhalten und gelesen."),
        error_messages={"required": _("Bitte bestätigen Sie, dass Sie die Widerrufsbelehrung erhalten haben.")},
    )

    def __init__(self, *args, voice=None, **kwargs):
        super().__init__(*args, **kwargs)
        if voice is not None:  # a representative declares: the confirmations say for whom
            self.fields["declaration"].label = _(
                "Ich habe die Teilnahmeerklärung gelesen und erkläre hiermit als gesetzliche Vertretung die "
                "Teilnahme %(for_whom)s."
            ) % {"for_whom": voice.for_me}
            self.fields["data_transfer"].label = _(
                "Ich willige als gesetzliche Vertretung in die beschriebene Übermittlung und Verarbeitung der "
                "Daten %(whose)s ein."
            ) % {"whose": voice.whose}
            self.fields["revocation_instruction"].label = _(
                "Ich habe die Belehrung über das Widerrufsrecht erhalten und gelesen."
            )

    def consents(self) -> dict[str, bool]:
        return {
            name: bool(self.cleaned_data.get(name))
            for name in ("declaration", "data_transfer", "revocation_instruction")
        }


class CancelConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ja, ich kündige meine Teilnahme zum angezeigten Termin."),
        error_messages={"required": _("Bitte bestätigen Sie die Kündigung.")},
    )


class RevokeConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ja, ich widerrufe meine Erklärung."),
        error_messages={"required": _("Bitte bestätigen Sie den Widerruf.")},
    )


class ImportantReasonForm(forms.Form):
    """A wichtiger Grund: one of the structured reasons, text required for "other"."""

    reason = forms.ChoiceField(
        label=_("Wichtiger Grund"),
        choices=ImportantReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Bitte wählen Sie einen Grund.")},
    )
    reason_text = forms.CharField(
        label=_("Erläuterung"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Pflicht bei „anderer Grund“; sonst freiwillig."),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == ImportantReason.OTHER and not (data.get("reason_text") or "").strip():
            self.add_error("reason_text", _("Bitte beschreiben Sie den Grund."))
        return data


class DoctorChangeForm(ProviderChoiceForm):
    """New doctor; during the binding also a wichtiger Grund."""

    reason = ImportantReasonForm.base_fields["reason"]
    reason_text = ImportantReasonForm.base_fields["reason_text"]

    def __init__(self, *args, needs_reason: bool, **kwargs):
        super().__init__(*args, required=True, label=_("Neue Praxis"), **kwargs)
        if not needs_reason:
            del self.fields["reason"]
            del self.fields["reason_text"]

    def clean(self):
        data = super().clean()
        if (
            "reason" in self.fields
            and data.get("reason") == ImportantReason.OTHER
            and not (data.get("reason_text") or "").strip()
        ):
            self.add_error("reason_text", _("Bitte beschreiben Sie den Grund."))
        return data


# --- admin ---------------------------------------------------------------------------------------


def _not_in_future(value):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    if value and value > timezone.localdate():
        raise ValidationError(_("Das Datum liegt in der Zukunft."))


class PaperDeclarationForm(forms.Form):
    """A declaration signed on paper (practice or branch), entered by staff."""

    person = forms.ModelChoiceField(label=_("Versicherte Person"), queryset=InsuredPerson.objects.none())
    contract = forms.ModelChoiceField(label=_("Vertrag"), queryset=Contract.objects.none())
    provider = forms.ModelChoiceField(
        label=_("Gewählte Praxis / Einrichtung"),
        queryset=Provider.objects.all(),
        required=False,
        help_text=_("Im Hausarztprogramm Pflicht."),
    )
    channel = forms.ChoiceField(
        label=_("Weg der Erklärung"), choices=[(c.value, c.label) for c in (Channel.PRACTICE, Channel.BRANCH)]
    )
    declared_on = forms.DateField(
        label=_("Datum der Erklärung (Unterschrift)"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[_not_in_future],
    )
    instructed_on = forms.DateField(
        label=_("Datum der Widerrufsbelehrung"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[_not_in_future],
        help_text=_("Leer lassen, wenn keine Belehrung erfolgt ist: dann beginnt die Widerrufsfrist nicht."),
    )
    instruction_method = forms.ChoiceField(
        label=_("Art der Belehrung"), choices=[("", "—"), *InstructionMethod.choices], required=False
    )
    signer = forms.ModelChoiceField(
        label=_("Unterschrieben von gesetzlicher Vertretung"),
        queryset=InsuredPerson.objects.none(),
        required=False,
        help_text=_("Leer, wenn die versicherte Person selbst unterschrieben hat."),
    )
    data_transfer = forms.BooleanField(label=_("Einwilligung in die Datenübermittlung unterschrieben"), required=True)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, persons, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons
        self.fields["signer"].queryset = persons
        self.fields["contract"].queryset = contracts

    def clean(self):
        data = super().clean()
        # A Belehrung before the declaration is fine: the period starts with the later day.
        if data.get("instructed_on") and not data.get("instruction_method"):
            data["instruction_method"] = InstructionMethod.PAPER
        return data


class DecisionForm(forms.Form):
    """Staff decision on a request of the insured."""

    decision = forms.ChoiceField(
        label=_("Entscheidung"),
        choices=[("approve", _("genehmigen")), ("reject", _("ablehnen"))],
        widget=forms.RadioSelect,
    )
    effective_date = forms.DateField(
        label=_("wirksam ab / letzter Teilnahmetag"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leer: nach der Regel des Vertrags bzw. heute."),
    )
    note = forms.CharField(label=_("Begründung"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("Bitte begründen Sie die Ablehnung."))
        return data


class RejectForm(forms.Form):
    reason_text = forms.CharField(label=_("Grund der Ablehnung"), widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmDoctorForm(forms.Form):
    confirmed_on = forms.DateField(
        label=_("Bestätigung der Ärztin / des Arztes vom"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[_not_in_future],
    )


class InstructionForm(forms.Form):
    instructed_on = forms.DateField(
        label=_("Belehrung erfolgt am"), widget=forms.DateInput(attrs={"type": "date"}), validators=[_not_in_future]
    )
    method = forms.ChoiceField(label=_("Art der Belehrung"), choices=InstructionMethod.choices)


class EndForm(forms.Form):
    end_date = forms.DateField(label=_("Letzter Teilnahmetag"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Grund"), widget=forms.Textarea(attrs={"rows": 3}))
