"""The operator (superuser) maintains the legal information; fund staff do not see it."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from legal.models import AccessibilityFeedback, LegalInformation
from programs.admin_scoping import OPERATOR_ONLY, TenantAdmin


class OperatorOnly(TenantAdmin):
    """Legal information and its feedback are the operator's (not a fund's) business."""

    fund_path = OPERATOR_ONLY

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegalInformation)
class LegalInformationAdmin(OperatorOnly):
    fieldsets = [
        (
            "Impressum",
            {
                "fields": [
                    "operator_name",
                    "legal_form",
                    "represented_by",
                    "street",
                    "postal_code",
                    "city",
                    "phone",
                    "email",
                    "supervisory_authority",
                    "content_responsible",
                ]
            },
        ),
        ("Datenschutz", {"fields": ["dpo_name", "dpo_address", "dpo_email", "data_protection_authority"]}),
        (
            "Barrierefreiheit",
            {
                "fields": [
                    "compliance_status",
                    "known_limitations",
                    "statement_date",
                    "last_review",
                    "feedback_email",
                    "arbitration_body",
                    "arbitration_contact",
                ]
            },
        ),
    ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        LegalInformation.current()
        return redirect(reverse("admin:legal_legalinformation_change", args=[1]))


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(OperatorOnly):
    list_display = ["created_at", "page_url", "mailed_to"]
    readonly_fields = ["message", "page_url", "contact_email", "created_at", "mailed_to"]
    date_hierarchy = None

    def has_change_permission(self, request, obj=None):
        return False
