from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from programs.admin_scoping import SHARED, TenantAdmin, TenantInline
from programs.models import (
    Contract,
    Fund,
    FundRegion,
    Gemeinde,
    Kreis,
    Land,
    PostalCode,
    Program,
    Regierungsbezirk,
    StaffMembership,
)
from programs.scoping import user_fund_id


class FundScopedAdmin(TenantAdmin):
    """Staff see and choose only their own fund's rows; `fund_path` leads from the model to the fund.

    The scoping itself lives in `programs.admin_scoping.TenantAdmin`; this name stays for the admins
    whose model has a direct `fund` field."""

    fund_path = "fund"


class ReferenceDataAdmin(TenantAdmin):
    """Reference data comes from the import command; the admin only reads it."""

    fund_path = SHARED

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Land)
class LandAdmin(ReferenceDataAdmin):
    list_display = ["code", "ags", "name"]


@admin.register(Regierungsbezirk)
class RegierungsbezirkAdmin(ReferenceDataAdmin):
    list_display = ["key", "name", "land"]
    list_select_related = ["land"]


@admin.register(Kreis)
class KreisAdmin(ReferenceDataAdmin):
    list_display = ["key", "name", "land", "regierungsbezirk"]
    list_filter = ["land"]
    search_fields = ["name", "key"]
    list_select_related = ["land", "regierungsbezirk"]


@admin.register(Gemeinde)
class GemeindeAdmin(ReferenceDataAdmin):
    list_display = ["ags", "name", "kreis", "population"]
    search_fields = ["name", "ags"]
    list_select_related = ["kreis"]


@admin.register(PostalCode)
class PostalCodeAdmin(ReferenceDataAdmin):
    list_display = ["code", "place", "kreis", "land"]
    search_fields = ["code", "place"]
    list_select_related = ["kreis", "land"]


class FundRegionInline(TenantInline, admin.TabularInline):
    model = FundRegion
    fund_path = "fund"
    extra = 0


@admin.register(Fund)
class FundAdmin(TenantAdmin):
    fund_path = "pk"
    list_display = ["name", "short_name", "ik", "seat_land"]
    inlines = [FundRegionInline]
    prepopulated_fields = {"slug": ["short_name"]}

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(StaffMembership)
class StaffMembershipAdmin(FundScopedAdmin):
    list_display = ["user", "fund", "role"]
    list_select_related = ["user", "fund"]


class ContractInline(TenantInline, admin.StackedInline):
    model = Contract
    fund_path = "fund"
    extra = 0
    show_change_link = True
    fields = ["fund", "version", "valid_from", "valid_until"]


@admin.register(Program)
class ProgramAdmin(TenantAdmin):
    """The catalogue is public; staff see and change only programs with a contract of their fund,
    and a program that contracts of several funds share only the operator changes."""

    fund_path = "contracts__fund"

    list_display = ["title", "program_type", "dmp_indication", "online_enrollment", "is_published"]
    list_filter = ["program_type", "online_enrollment", "is_published"]
    search_fields = ["title", "summary", "keywords", "icd10_codes"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["region_lands", "prerequisites", "excludes"]
    autocomplete_fields = ["region_kreise", "region_gemeinden"]
    inlines = [ContractInline]

    @staticmethod
    def _shared_with_other_funds(request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return False
        return obj.contracts.exclude(fund_id=user_fund_id(request.user)).exists()

    def has_change_permission(self, request, obj=None):
        return not self._shared_with_other_funds(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._shared_with_other_funds(request, obj) and super().has_delete_permission(request, obj)


@admin.register(Contract)
class ContractAdmin(FundScopedAdmin):
    list_display = ["program", "fund", "version", "valid_from", "valid_until", "start_rule", "binding_months"]
    list_filter = ["fund", "start_rule", "program__program_type"]
    search_fields = ["program__title", "partners"]
    list_select_related = ["program", "fund"]
    autocomplete_fields = ["program"]
    fieldsets = [
        (None, {"fields": ["program", "fund", "version", "partners", ("valid_from", "valid_until")]}),
        (
            _("Teilnahmeregeln"),
            {
                "fields": [
                    "revocation_days",
                    ("binding_months", "renewal_months"),
                    ("notice_months", "notice_days", "notice_counts"),
                    ("start_rule", "quarter_cutoff_day", "quarter_cutoff_months_before"),
                    "self_declaration_age",
                ]
            },
        ),
        (_("Texte der Erklärung"), {"fields": ["declaration_text", "consent_text", "revocation_instruction"]}),
    ]
