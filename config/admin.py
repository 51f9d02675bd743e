"""The staff back office: Django's admin, with a second factor honoured.

Staff sign in through the portal's own login (which asks for the TOTP code when the
account has a confirmed device), never through a separate admin login that would skip it.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device


class PortalAdminSite(admin.AdminSite):
    site_header = _("Versorgungslotse – Verwaltung")
    site_title = _("Versorgungslotse")
    index_title = _("Verwaltung der Kasse")

    def has_permission(self, request) -> bool:
        user = request.user
        if not super().has_permission(request):
            return False
        # An account that set up a second factor must have passed it in this session.
        return not user_has_device(user, confirmed=True) or user.is_verified()

    def login(self, request, extra_context=None):
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('login')}?{urlencode({'next': target})}")

    def index(self, request, extra_context=None):
        """The start page is a dashboard of the fund's open work (backoffice.dashboard)."""
        from backoffice.dashboard import open_work

        work = open_work(request.user, today=timezone.localdate())
        return super().index(request, {"open_work": work, **(extra_context or {})})


class PortalAdminConfig(AdminConfig):
    default_site = "config.admin.PortalAdminSite"
