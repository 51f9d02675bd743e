from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FeedbackForm(forms.Form):
    message = forms.CharField(
        label=_("Ihre Nachricht"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("Beschreiben Sie die Barriere oder welche Inhalte Sie in welcher Form benötigen."),
        error_messages={
            "required": _("Bitte schreiben Sie uns, welche Barriere Sie bemerkt haben."),
            "max_length": _("Bitte fassen Sie sich kürzer (höchstens %(limit_value)d Zeichen)."),
        },
    )
    page_url = forms.CharField(
        label=_("Betroffene Seite (optional)"),
        required=False,
        max_length=500,
        help_text=_("Zum Beispiel die Adresse oder der Titel der Seite."),
        error_messages={"max_length": _("Bitte geben Sie höchstens %(limit_value)d Zeichen ein.")},
    )
    contact_email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse (optional)"),
        required=False,
        help_text=_("Nur wenn Sie eine Antwort wünschen. Wir nutzen sie nur für diese Antwort."),
        error_messages={"invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@beispiel.de.")},
    )
