"""The staff back office: Django's admin, behind a mandatory second factor.

Staff sign in through the portal's own login (password, then app code, recovery code or
passkey), never through a separate admin login that would skip it. Every admin page (each goes
through `admin_view` → `has_permission`) needs a session verified with a second factor: a staff
member without one is sent to set it up, one with a device but an unverified session to sign in.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("Versorgungslotse – Verwaltung")
    site_title = _("Versorgungslotse")
    index_title = _("Verwaltung der Kasse")

    def has_permission(self, request) -> bool:
        # Staff and superusers: only in a session verified with a second factor.
        return super().has_permission(request) and request.user.is_verified()

    def login(self, request, extra_context=None):
        from enrollment.accounts.second_factor import has_second_factor, second_factor_required

        target = request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = ""
        target = target or reverse("admin:index")
        user = request.user
        if second_factor_required(user) and not has_second_factor(user):
            messages.info(
                request, gettext("Für die Verwaltung ist ein zweiter Faktor Pflicht. Bitte richten Sie ihn jetzt ein.")
            )
            return redirect(f"{reverse('accounts:totp_setup')}?{urlencode({'next': target})}")
        if second_factor_required(user):
            messages.info(
                request,
                gettext("Bitte melden Sie sich erneut an und bestätigen Sie die Anmeldung mit Ihrem zweiten Faktor."),
            )
        return redirect(f"{reverse('login')}?{urlencode({'next': target})}")

    def index(self, request, extra_context=None):
        """The start page is a dashboard of the fund's open work (backoffice.dashboard)."""
        from backoffice.dashboard import open_work

        work = open_work(request.user, today=timezone.localdate())
        return super().index(request, {"open_work": work, **(extra_context or {})})


class PortalAdminConfig(AdminConfig):
    default_site = "config.admin.PortalAdminSite"

    def ready(self):
        super().ready()  # autodiscover: every app's admin.py registers its TenantAdmins
        from programs import admin_scoping  # registers the tenancy check; needs the app registry

        admin_scoping.wrap_operator_only(admin.site)
