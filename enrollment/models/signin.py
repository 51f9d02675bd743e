"""Login locks as the fund administrators see them (a proxy of django-axes' AccessAttempt).

The proxy carries the permission `enrollment.unlock_login` ("Anmeldesperren einsehen und
aufheben"): whoever holds it (the fund administrators' group) sees the recorded login failures
of their own fund's accounts and lifts locks; nobody edits the rows.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from django.utils.translation import gettext_lazy as _

__all__ = ["LoginLockout"]


class LoginLockout(AccessAttempt):
    class Meta:
        proxy = True
        app_label = "enrollment"
        verbose_name = _("Anmeldesperre")
        verbose_name_plural = _("Anmeldesperren")
        default_permissions = ()
        permissions = [("unlock_login", _("Anmeldesperren einsehen und aufheben"))]
