from __future__ import annotations

from django.contrib import admin

from enrollment.models import InsuredPerson, LegalRepresentation
from programs.admin import FundScopedAdmin
from programs.scoping import scope_to_fund


class RepresentationInline(admin.TabularInline):
    model = LegalRepresentation
    fk_name = "represented"
    extra = 0
    autocomplete_fields = ["representative"]


@admin.register(InsuredPerson)
class InsuredPersonAdmin(FundScopedAdmin):
    list_display = ["kvnr", "last_name", "first_name", "birth_date", "postal_code", "city", "fund"]
    list_select_related = ["fund"]
    search_fields = ["kvnr", "last_name", "first_name", "postal_code"]
    list_filter = ["land"]
    raw_id_fields = ["user", "gemeinde"]
    inlines = [RepresentationInline]
    show_full_result_count = False


@admin.register(LegalRepresentation)
class LegalRepresentationAdmin(admin.ModelAdmin):
    list_display = ["representative", "represented", "kind"]
    autocomplete_fields = ["representative", "represented"]
    list_select_related = ["representative", "represented"]

    def get_queryset(self, request):
        return scope_to_fund(super().get_queryset(request), request.user, "represented__fund")
