from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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
from programs.scoping import funds_for_user, scope_to_fund, user_fund_id


class FundScopedAdmin(admin.ModelAdmin):
    """Staff see and choose only their own fund's rows; `fund_path` leads from the model to the fund."""

    fund_path = "fund"

    def get_queryset(self, request):
        return scope_to_fund(super().get_queryset(request), request.user, self.fund_path)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Fund:
            kwargs["queryset"] = funds_for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReferenceDataAdmin(admin.ModelAdmin):
    """Reference data comes from the import command; the admin only reads it."""

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


class FundRegionInline(admin.TabularInline):
    model = FundRegion
    extra = 0


@admin.register(Fund)
class FundAdmin(FundScopedAdmin):
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


class ContractInline(admin.StackedInline):
    model = Contract
    extra = 0
    show_change_link = True
    fields = ["fund", "version", "valid_from", "valid_until"]

    def get_queryset(self, request):
        return scope_to_fund(super().get_queryset(request), request.user, "fund")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "fund":
            kwargs["queryset"] = funds_for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    """The catalogue is public; staff change only programs with a contract of their fund."""

    list_display = ["title", "program_type", "dmp_indication", "online_enrollment", "is_published"]
    list_filter = ["program_type", "online_enrollment", "is_published"]
    search_fields = ["title", "summary", "keywords", "icd10_codes"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["region_lands", "prerequisites", "excludes"]
    autocomplete_fields = ["region_kreise", "region_gemeinden"]
    inlines = [ContractInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(contracts__fund_id=user_fund_id(request.user)).distinct()


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
