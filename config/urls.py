from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import include, path

from backoffice import views as backoffice_views
from config.health import healthz
from enrollment.accounts import views as account_views
from programs import views as program_views

urlpatterns = [
    path("", program_views.home, name="home"),
    path("programme/", include("programs.urls")),
    path("leistungserbringer/", include("providers.urls")),
    path("teilnahme/", include("enrollment.urls")),
    path("berichte/", include("reports.urls")),
    path("konto/anmelden/", account_views.LoginView.as_view(), name="login"),
    path("konto/abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("konto/meine-daten/", backoffice_views.my_data, name="my_data"),
    path("konto/meine-daten/daten.json", backoffice_views.my_data_json, name="my_data_json"),
    path("konto/meine-daten/daten.pdf", backoffice_views.my_data_pdf, name="my_data_pdf"),
    path("konto/", include("enrollment.accounts.urls", namespace="accounts")),
    path("konto/passkey/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("legal.urls")),
    path("verwaltung/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on their own; answer with the portal's icon (whitenoise
    # serves the unhashed name too, so no manifest is needed to build this URL).
    path("favicon.ico", lambda request: redirect(f"{settings.STATIC_URL}img/favicon.svg", permanent=True)),
]

handler500 = "config.errors.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
