"""Admin page "Anmeldesperren": fund administrators lift login locks of their fund's accounts.

Read-only list of recorded login failures (user name, failures, last attempt, locked now?),
limited by `lockouts_visible_to`; the one action "Sperre aufheben" calls `login_unlock`.
Client addresses are not shown (not needed to decide, and personal data).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.accounts.lockout import lockouts_visible_to, login_unlock, with_lock_state
from enrollment.models import LoginLockout
from programs.admin_scoping import RULE, TenantAdmin, scoped_by

UNLOCK_PERMISSION = "enrollment.unlock_login"


@admin.action(description=gettext_lazy("Sperre aufheben"), permissions=["unlock"])
def unlock_logins(modeladmin, request, queryset):
    usernames = sorted({row.username for row in queryset if row.username})
    removed = login_unlock(by=request.user, usernames=usernames)
    modeladmin.message_user(
        request,
        _("Sperre aufgehoben für %(count)s Benutzername(n).") % {"count": len(usernames)}
        if removed
        else _("Keine Sperre aufgehoben."),
        messages.SUCCESS if removed else messages.WARNING,
    )


@scoped_by("enrollment.LoginLockout")
def _lockouts_of_the_users_fund(qs, user):
    """Locks belong to a fund through the user name: its staff's and its insured's accounts."""
    return qs.filter(pk__in=lockouts_visible_to(user).values("pk"))


@admin.register(LoginLockout)
class LoginLockoutAdmin(TenantAdmin):
    fund_path = RULE
    list_display = ["username", "failures_since_start", "attempt_time", "locked"]
    list_display_links = None
    search_fields = ["username"]
    ordering = ["-attempt_time"]
    actions = [unlock_logins]

    @admin.display(description=gettext_lazy("gesperrt"), boolean=True)
    def locked(self, obj) -> bool:
        return obj.locked

    def get_queryset(self, request):
        return with_lock_state(super().get_queryset(request))

    def has_unlock_permission(self, request) -> bool:
        return request.user.has_perm(UNLOCK_PERMISSION)

    def has_module_permission(self, request) -> bool:
        return self.has_unlock_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_unlock_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
