"""Account URLs, included from config/urls.py at "konto/" with namespace "accounts".

Login and logout stay un-namespaced ("login"/"logout", settings.LOGIN_URL) in config/urls.py.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from enrollment.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("abmelden-ueberall/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("loeschen/", views.account_delete, name="account_delete"),
    path("sitzung/verlaengern/", views.session_extend, name="session_extend"),
    path("registrieren/", views.register, name="register"),
    path("willkommen/", views.welcome, name="welcome"),
    path("anmelden/code/", views.login_token, name="login_token"),
    path("email/bestaetigen/<str:token>/", views.email_confirm, name="email_confirm"),
    path("email/erneut-senden/", views.email_resend, name="email_resend"),
    path("zwei-faktor/", views.totp_setup, name="totp_setup"),
    path("zwei-faktor/ausschalten/", views.totp_disable, name="totp_disable"),
    path("zwei-faktor/wiederherstellungscodes/", views.recovery_codes, name="recovery_codes"),
    path("zwei-faktor/passkey/<int:pk>/entfernen/", views.passkey_remove, name="passkey_remove"),
    path("passwort/aendern/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "passwort/aendern/fertig/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("passwort/vergessen/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "passwort/vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path("passwort/neu/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "passwort/neu/fertig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
