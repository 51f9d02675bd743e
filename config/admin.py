"""The staff back office: Django's admin, with a second factor honoured.

Staff sign in through the portal's own login (which asks for the TOTP code when the
account has a confirmed device), never through a separate admin login that would skip it.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse
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


class PortalAdminConfig(AdminConfig):
    default_site = "config.admin.PortalAdminSite"

    def ready(self):
        super().ready()  # autodiscover: every app's admin.py registers its TenantAdmins
        from programs import admin_scoping  # registers the tenancy check; needs the app registry

        admin_scoping.wrap_operator_only(admin.site)
