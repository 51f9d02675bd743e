"""Admin action "Aktivierungscode erzeugen" on InsuredPerson.

Runs on the changelist queryset, which `FundScopedAdmin.get_queryset` has already limited to the
staff member's fund: ids of other funds' persons posted by hand are silently not in it. The
plaintext codes are shown once on an intermediate page (no-store) for the letter.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.accounts.services import PersonAlreadyRegistered, activation_code_issue


@admin.action(description=gettext_lazy("Aktivierungscode erzeugen"), permissions=["change"])
def issue_activation_codes(modeladmin, request, queryset):
    now = timezone.now()
    issued, skipped = [], []
    for person in queryset.select_related("fund").order_by("last_name", "first_name"):
        try:
            code, row = activation_code_issue(person=person, issued_by=request.user, now=now)
        except PersonAlreadyRegistered:
            skipped.append(person)
            continue
        issued.append({"person": person, "code": code, "expires_at": row.expires_at})
    if not issued:
        modeladmin.message_user(
            request, _("Kein Code erzeugt: Alle ausgewählten Personen haben bereits ein Konto."), messages.WARNING
        )
        return None
    response = TemplateResponse(
        request,
        "admin/enrollment/activation_codes.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Aktivierungscodes"),
            "opts": modeladmin.model._meta,
            "issued": issued,
            "skipped": skipped,
        },
    )
    add_never_cache_headers(response)  # the codes must not stay in any cache
    return response
