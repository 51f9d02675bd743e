"""Account pages: register, confirm the email address, sign in (with optional TOTP step),
the account overview and the second factor. Thin: validate, call a service, render."""

from __future__ import annotations

import base64
import time
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from enrollment.accounts import deletion, lockout, second_factor, services, sessions
from enrollment.accounts.client_ip import client_ip
from enrollment.accounts.forms import (
    AccountDeleteForm,
    EmailAuthenticationForm,
    RegistrationForm,
    SecondFactorForm,
    TokenForm,
)
from enrollment.models import EmailConfirmation
from enrollment.representation import ADULT_AGE, DEFAULT_SELF_DECLARATION_AGE
from enrollment.selectors import own_person, persons_for_user

User = get_user_model()

PENDING_SESSION_KEY = "accounts_pending_2fa"
PENDING_MAX_AGE_SECONDS = 300
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
TOTP_ISSUER = "Versorgungslotse"


def _client_ip(request: HttpRequest) -> str | None:
    # X-Forwarded-For only from trusted proxies (settings.TRUSTED_PROXIES): a client cannot forge
    # its address to escape the rate limit.
    return client_ip(request)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _email_unconfirmed(user) -> bool:
    row = EmailConfirmation.objects.filter(user=user).only("confirmed_at").first()
    return row is not None and row.confirmed_at is None


# --------------------------------------------------------------------------- registration


@sensitive_post_parameters("password1", "password2", "code")
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:account")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.account_register(
                kvnr=data["kvnr"],
                birth_date=data["birth_date"],
                code=data["code"],
                email=data["email"],
                password=data["password1"],
                now=timezone.now(),
                client_ip=_client_ip(request),
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error("password1", error)
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            user = registration.user
            if not registration.created and services.totp_device_for(user) is not None:
                # A repeated submit must not skip the second factor set up meanwhile.
                return redirect("login")
            auth_login(request, user, backend=MODEL_BACKEND)
            return redirect("accounts:welcome")
    return render(request, "accounts/register.html", {"form": form})


@login_required
def welcome(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/welcome.html",
        {
            "person": own_person(request.user),
            "has_totp": services.totp_device_for(request.user) is not None,
            "email": request.user.email,
        },
    )


# --------------------------------------------------------------------------- email confirmation


@never_cache
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the mail. Confirming twice is harmless; no login needed (the token proves it)."""
    try:
        services.email_confirm(token=token, now=timezone.now())
    except services.EmailTokenInvalid as error:
        return render(request, "accounts/email_confirm.html", {"ok": False, "error": str(error)}, status=400)
    return render(request, "accounts/email_confirm.html", {"ok": True})


@login_required
@require_POST
def email_resend(request: HttpRequest) -> HttpResponse:
    try:
        row = services.email_confirmation_send(
            user=request.user, now=timezone.now(), base_url=request.build_absolute_uri("/"), force=False
        )
    except services.AccountError as error:
        messages.warning(request, str(error))
    else:
        if row.is_confirmed:
            messages.info(request, _("Ihre E-Mail-Adresse ist bereits bestätigt."))
        else:
            messages.success(
                request, _("Wir haben Ihnen einen neuen Bestätigungslink an %(email)s gesendet.") % {"email": row.email}
            )
    return redirect("accounts:account")


# --------------------------------------------------------------------------- login (two steps)


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    """Step 1: password. With a confirmed second factor (app, passkey, recovery codes) the user is
    not signed in yet: the session remembers who passed step 1 (for 5 minutes) and step 2 asks
    for the code. Staff without a second factor are signed in and led to set one up: the admin
    stays closed to them until then (config.admin)."""

    form_class = EmailAuthenticationForm
    template_name = "registration/login.html"

    def form_valid(self, form):
        user = form.get_user()
        if second_factor.has_any_device(user):
            self.request.session[PENDING_SESSION_KEY] = {
                "uid": user.pk,
                "backend": getattr(user, "backend", MODEL_BACKEND),
                "next": self.get_success_url(),
                "at": int(time.time()),
            }
            return redirect("accounts:login_token")
        response = super().form_valid(form)
        if second_factor.second_factor_required(user):
            messages.info(
                self.request,
                _("Für die Verwaltung ist ein zweiter Faktor Pflicht. Bitte richten Sie ihn jetzt ein."),
            )
            return redirect(f"{reverse('accounts:totp_setup')}?{urlencode({'next': self.get_success_url()})}")
        _notice_unconfirmed_email(self.request, user)
        return response


def _notice_unconfirmed_email(request: HttpRequest, user) -> None:
    if _email_unconfirmed(user):
        messages.warning(
            request,
            _("Bitte bestätigen Sie noch Ihre E-Mail-Adresse: Den Link dazu haben wir Ihnen per E-Mail gesendet."),
        )


@sensitive_post_parameters("token")
@never_cache
def login_token(request: HttpRequest) -> HttpResponse:
    """Step 2 of the login: the app's current code, a recovery code (used up), or a passkey
    (its button signs in through django-otp-webauthn). Wrong codes count towards the lockout
    of the user name like wrong passwords; while locked, even a right code is refused."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_MAX_AGE_SECONDS:
        request.session.pop(PENDING_SESSION_KEY, None)
        messages.info(request, _("Bitte melden Sie sich erneut mit E-Mail-Adresse und Passwort an."))
        return redirect("login")
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_SESSION_KEY, None)
        return redirect("login")
    form = SecondFactorForm(request.POST or None)
    username = user.get_username()
    if request.method == "POST" and lockout.second_factor_locked(request, username=username):
        return lockout.lockout_response(request)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.second_factor_verify(user=user, token=form.cleaned_data["token"])
        except second_factor.SecondFactorInvalid as error:
            lockout.second_factor_failed(request, username=username)  # may lock: AxesMiddleware answers
            form.add_error("token", str(error))
        else:
            request.session.pop(PENDING_SESSION_KEY, None)
            user.otp_device = device  # django_otp persists it on user_logged_in
            auth_login(request, user, backend=pending["backend"])
            _notice_unconfirmed_email(request, user)
            return redirect(pending.get("next") or reverse("home"))
    return render(
        request,
        "accounts/login_token.html",
        {
            "form": form,
            "next": pending.get("next") or "",
            "has_totp": services.totp_device_for(user) is not None,
            "has_passkey": bool(second_factor.passkeys_for(user)),
        },
    )


# --------------------------------------------------------------------------- account page


def _representation_note(age: int) -> str:
    """General hint on the account page; the binding rule per contract is `can_declare_for`."""
    if age < DEFAULT_SELF_DECLARATION_AGE:
        return _("Sie geben Erklärungen für diese Person ab.")
    if age < ADULT_AGE:
        return _("Ab 15 Jahren kann die Person selbst erklären; Sie werden darüber informiert.")
    return ""


@login_required
def account(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    persons = persons_for_user(request.user, on_date=today)
    person = next((p for p in persons if p.user_id == request.user.pk), None)
    represented = [
        (p, p.age_on(today), _representation_note(p.age_on(today))) for p in persons if p.user_id != request.user.pk
    ]
    confirmation = EmailConfirmation.objects.filter(user=request.user).first()
    return render(
        request,
        "accounts/account.html",
        {
            "person": person,
            "represented": represented,
            "has_totp": services.totp_device_for(request.user) is not None,
            "confirmation": confirmation,
            "email_confirmed": confirmation is not None and confirmation.is_confirmed,
            "session_idle_minutes": settings.SESSION_IDLE_MINUTES,
            "session_absolute_hours": settings.SESSION_ABSOLUTE_HOURS,
        },
    )


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """Ends every session of the account, this one included."""
    sessions.sign_out_everywhere(request.user)
    auth_logout(request)
    messages.success(request, _("Sie wurden auf allen Geräten abgemeldet."))
    return redirect("login")


@login_required
@never_cache
@sensitive_post_parameters("password")
def account_delete(request: HttpRequest) -> HttpResponse:
    """Confirmation page with the consequences; the password confirms the decision."""
    form = AccountDeleteForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            deletion.account_delete(user=request.user, now=timezone.now())
        except deletion.AccountDeletionRefused:
            form.add_error(None, _("Konten von Mitarbeitenden löscht die Administration Ihrer Krankenkasse."))
        else:
            auth_logout(request)
            messages.success(
                request, _("Ihr Konto wurde gelöscht. Ihre Teilnahmen bleiben bei Ihrer Krankenkasse erhalten.")
            )
            return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})


@require_POST
def session_extend(request: HttpRequest) -> HttpResponse:
    """The warning's "Angemeldet bleiben": a request that moves the idle expiry (the
    middleware did that already); answers how many seconds remain, or 401 when the session has
    ended."""
    if not request.user.is_authenticated:
        return JsonResponse({"ended": True}, status=401)
    request.session[sessions.SEEN] = int(time.time())
    request.session.set_expiry(sessions.idle_seconds())
    return JsonResponse({"remaining": sessions.idle_seconds()})


# --------------------------------------------------------------------------- TOTP


def _otpauth_uri(device, label: str) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    params = urlencode(
        {"secret": secret, "issuer": TOTP_ISSUER, "algorithm": "SHA1", "digits": device.digits, "period": device.step}
    )
    return f"otpauth://totp/{quote(TOTP_ISSUER)}:{quote(label)}?{params}"


def _qr_svg(data: str, title: str) -> str:
    """Inline SVG (no script, no style attribute: passes the strict CSP)."""
    svg = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2).to_string(
        encoding="unicode"
    )
    svg = svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-title" class="app-qr" ', 1)
    head, sep, rest = svg.partition(">")
    return f'{head}{sep}<title id="qr-title">{escape(title)}</title>{rest}'


def _secret_groups(device) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _security_context(request: HttpRequest, **extra) -> dict:
    user = request.user
    return {
        "next": _safe_next(request, ""),
        "required": second_factor.second_factor_required(user),
        "has_factor": second_factor.has_second_factor(user),
        "passkeys": second_factor.passkeys_for(user),
        "recovery_left": second_factor.recovery_codes_left(user),
        **extra,
    }


def _needs_reauthentication(request: HttpRequest) -> bool:
    """Changing the second factors of an account that has one needs a session verified with it."""
    return second_factor.has_any_device(request.user) and not request.user.is_verified()


def _reauthenticate(request: HttpRequest) -> HttpResponse:
    messages.info(
        request, _("Bitte melden Sie sich erneut an und bestätigen Sie die Anmeldung mit Ihrem zweiten Faktor.")
    )
    return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")


def _recovery_codes_page(request: HttpRequest, codes: list[str], *, first: bool) -> HttpResponse:
    response = render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "first": first, "next": _safe_next(request, reverse("accounts:totp_setup"))},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@sensitive_post_parameters("token")
@never_cache
def totp_setup(request: HttpRequest) -> HttpResponse:
    """The page "Zwei-Faktor-Anmeldung": authenticator app (QR code), passkeys, recovery codes."""
    if _needs_reauthentication(request):
        return _reauthenticate(request)
    if services.totp_device_for(request.user) is not None:
        return render(request, "accounts/totp_setup.html", _security_context(request, active=True, form=TokenForm()))
    device = services.totp_device_start(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_device_confirm(
                user=request.user, device_id=device.pk, token=form.cleaned_data["token"]
            )
        except services.TotpTokenInvalid as error:
            form.add_error("token", str(error))
        else:
            request.user.otp_device = device
            from django_otp import login as otp_login

            otp_login(request, device)
            messages.success(
                request,
                _("Die Zwei-Faktor-Anmeldung ist eingerichtet. Ab jetzt fragen wir beim Anmelden nach dem Code."),
            )
            # Shown once, in this response only: recovery codes for a lost phone.
            codes = second_factor.recovery_codes_generate(user=request.user)
            return _recovery_codes_page(request, codes, first=True)
    uri = _otpauth_uri(device, request.user.get_username())
    return render(
        request,
        "accounts/totp_setup.html",
        _security_context(
            request,
            active=False,
            form=form,
            qr_svg=mark_safe(_qr_svg(uri, _("QR-Code zum Einrichten der Authenticator-App"))),  # noqa: S308 — generated, title escaped
            secret=_secret_groups(device),
        ),
    )


@login_required
@sensitive_post_parameters("token")
@require_POST
def totp_disable(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        if second_factor.second_factor_required(request.user) and not second_factor.passkeys_for(request.user):
            form.add_error("token", str(second_factor.LastFactorRequired()))
        else:
            try:
                services.totp_device_remove(user=request.user, token=form.cleaned_data["token"])
            except services.TotpTokenInvalid as error:
                form.add_error("token", str(error))
            else:
                if not second_factor.has_second_factor(request.user):
                    from django_otp.plugins.otp_static.models import StaticDevice

                    StaticDevice.objects.filter(user=request.user).delete()  # codes belong to a factor
                messages.success(request, _("Die Zwei-Faktor-Anmeldung mit der App ist ausgeschaltet."))
                return redirect("accounts:account")
    return render(request, "accounts/totp_setup.html", _security_context(request, active=True, form=form), status=400)


@login_required
@require_POST
@never_cache
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), shown once in this response."""
    if _needs_reauthentication(request):
        return _reauthenticate(request)
    if not second_factor.has_second_factor(request.user):
        messages.warning(request, _("Richten Sie zuerst eine Authenticator-App oder einen Passkey ein."))
        return redirect("accounts:totp_setup")
    codes = second_factor.recovery_codes_generate(user=request.user)
    return _recovery_codes_page(request, codes, first=False)


@login_required
@require_POST
def passkey_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if _needs_reauthentication(request):
        return _reauthenticate(request)
    try:
        second_factor.passkey_remove(user=request.user, passkey_id=pk)
    except second_factor.LastFactorRequired as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Der Passkey ist entfernt."))
    return redirect("accounts:totp_setup")


# --------------------------------------------------------------------------- password views


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        """Limited per address and per client; over the limit no mail goes out, and the page
        says the same as always."""
        if services.password_reset_allowed(email=form.cleaned_data["email"], client_ip=client_ip(self.request)):
            return super().form_valid(form)
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")
