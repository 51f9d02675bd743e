"""Forms of the reports app (validation only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.figures import SECTIONS
from reports.models import Dataset, ReportYear


class ReportSelectForm(forms.Form):
    """Fund, year and section of the report page; choices are what the user may read."""

    kasse = forms.ChoiceField(label=_("Krankenkasse"))
    jahr = forms.TypedChoiceField(label=_("Berichtsjahr"), coerce=int)
    abschnitt = forms.ChoiceField(label=_("Abschnitt"), required=False)

    def __init__(self, *args, report_years: list[ReportYear], **kwargs):
        super().__init__(*args, **kwargs)
        funds = {ry.fund.slug: ry.fund.name for ry in report_years}
        self.fields["kasse"].choices = sorted(funds.items(), key=lambda item: item[1])
        years = sorted({ry.year for ry in report_years}, reverse=True)
        self.fields["jahr"].choices = [(y, str(y)) for y in years]
        self.fields["abschnitt"].choices = [("", _("alle Abschnitte")), *[(k, _(label)) for k, label in SECTIONS]]


class CompareSelectForm(forms.Form):
    jahr = forms.TypedChoiceField(label=_("Berichtsjahr"), coerce=int)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jahr"].choices = [(y, str(y)) for y in years]


class PublishForm(forms.Form):
    action = forms.ChoiceField(choices=[("publish", _("veröffentlichen")), ("withdraw", _("zurückziehen"))])
    #: Withdrawing takes a published report away from everyone: it is asked for once more.
    confirm = forms.BooleanField(required=False)


class ImportUploadForm(forms.Form):
    """Admin upload: a CSV file for a report year (the format is recognised by its header)."""

    year = forms.IntegerField(label=_("Berichtsjahr"), min_value=2000, max_value=2100)
    upload = forms.FileField(
        label=_("CSV-Datei"), help_text=_("Formate: docs/report-data.md; UTF-8, Trennzeichen Semikolon.")
    )
    dataset = forms.ChoiceField(
        label=_("Datensatz"), required=False, choices=[("", _("aus der Kopfzeile erkennen")), *Dataset.choices]
    )

    def __init__(self, *args, funds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"] = forms.ModelChoiceField(queryset=funds, label=_("Krankenkasse"))
        self.order_fields(["fund", "year", "upload", "dataset"])
