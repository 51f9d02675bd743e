from __future__ import annotations

from django.contrib import admin, messages

from programs.admin import FundScopedAdmin
from programs.scoping import scope_to_fund
from providers.models import ContractParticipation, Provider


class ParticipationInline(admin.TabularInline):
    model = ContractParticipation
    extra = 0
    autocomplete_fields = ["contract"]

    def get_queryset(self, request):
        return scope_to_fund(super().get_queryset(request), request.user, "contract__fund")


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    """Provider master data is public (the catalogue shows it); participations are fund-scoped."""

    list_display = ["name", "kind", "postal_code", "city", "lanr", "bsnr", "accepts_new_patients"]
    list_filter = ["kind", "accepts_new_patients", "wheelchair_accessible", "land"]
    search_fields = ["name", "lanr", "bsnr", "postal_code", "city"]
    inlines = [ParticipationInline]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in obj.lanr_warnings():
            messages.warning(request, warning)


@admin.register(ContractParticipation)
class ContractParticipationAdmin(FundScopedAdmin):
    fund_path = "contract__fund"
    list_display = ["provider", "contract", "valid_from", "valid_until"]
    list_select_related = ["provider", "contract__program", "contract__fund"]
    autocomplete_fields = ["provider", "contract"]
    search_fields = ["provider__name", "contract__program__title"]
    list_filter = [("valid_until", admin.EmptyFieldListFilter)]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "contract":
            from programs.models import Contract

            kwargs["queryset"] = scope_to_fund(Contract.objects.all(), request.user, "fund")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
