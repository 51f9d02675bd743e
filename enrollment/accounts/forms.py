"""Forms of the account pages: they validate input only; services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from programs.validators import validate_kvnr

User = get_user_model()


class RegistrationForm(forms.Form):
    kvnr = forms.CharField(
        label=_("Krankenversichertennummer"),
        help_text=_("10 Zeichen, steht auf Ihrer Gesundheitskarte, z. B. A123456780."),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    birth_date = forms.DateField(
        label=_("Geburtsdatum"),
        help_text=_("Im Format TT.MM.JJJJ, z. B. 30.11.1992."),
        input_formats=["%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"],
        widget=forms.DateInput(attrs={"autocomplete": "bday", "inputmode": "numeric"}),
    )
    code = forms.CharField(
        label=_("Aktivierungscode"),
        help_text=_("Aus dem Brief Ihrer Krankenkasse, 12 Zeichen, z. B. ABCD-EFGH-JKMN."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        help_text=_("Damit melden Sie sich künftig an. Wir senden Ihnen einen Bestätigungslink."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Mindestens 10 Zeichen; nicht nur Ziffern und kein gängiges Passwort."),
    )
    password2 = forms.CharField(
        label=_("Passwort wiederholen"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_kvnr(self) -> str:
        value = self.cleaned_data["kvnr"].strip().upper().replace(" ", "")
        validate_kvnr(value)
        return value

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        elif p1:
            email = cleaned.get("email") or ""
            try:
                password_validation.validate_password(p1, user=User(username=email, email=email))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    """Login with the email address in any letter case (accounts store it lower-case)."""

    username = forms.CharField(
        label=_("E-Mail-Adresse oder Benutzername"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def clean_username(self) -> str:
        """The account's user name for what was typed: the user name itself, in any letter case,
        or the account's e-mail address (unique, case-insensitive: a database index)."""
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username=username).exists():
            return username
        matches = list(User.objects.filter(username__iexact=username).values_list("username", flat=True)[:2])
        if len(matches) == 1:
            return matches[0]
        if "@" in username:
            by_email = list(User.objects.filter(email__iexact=username).values_list("username", flat=True)[:2])
            if len(by_email) == 1:
                return by_email[0]
        return username


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Sicherheitscode"),
        help_text=_("Die 6 Ziffern, die Ihre Authenticator-App gerade anzeigt."),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Bitte geben Sie nur Ziffern ein."))
        return token


class SecondFactorForm(forms.Form):
    """Second login step: the app's 6 digits or one of the recovery codes (letters and digits)."""

    token = forms.CharField(
        label=_("Sicherheitscode oder Wiederherstellungscode"),
        help_text=_(
            "Die 6 Ziffern aus Ihrer Authenticator-App – oder, wenn Sie die App nicht zur Hand haben, "
            "einer Ihrer Wiederherstellungscodes (z. B. abcde-fghjk)."
        ),
        min_length=6,
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}),
    )


class AccountDeleteForm(forms.Form):
    """Deleting the account: the password and an explicit confirmation."""

    password = forms.CharField(
        label=_("Ihr Passwort"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), strip=False
    )
    confirm = forms.BooleanField(
        label=_("Ja, ich möchte mein Konto löschen. Mir ist bewusst, dass ich mich danach nicht mehr anmelden kann."),
        error_messages={"required": _("Bitte bestätigen Sie, dass Sie Ihr Konto löschen möchten.")},
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Das Passwort stimmt nicht."))
        return password
