from __future__ import annotations

import re

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.admin import FundScopedAdmin
from programs.admin_scoping import SHARED, TenantAdmin, TenantInline
from providers.admin_csv import CsvImportExportMixin
from providers.models import ContractParticipation, Provider


class ParticipationInline(TenantInline, admin.TabularInline):
    model = ContractParticipation
    fund_path = "contract__fund"
    extra = 0
    autocomplete_fields = ["contract"]


@admin.register(Provider)
class ProviderAdmin(CsvImportExportMixin, TenantAdmin):
    """Provider master data is shared by all funds (the catalogue shows it): every staff account
    reads it, only the operator and the registry import change it (docs/back-office.md). A fund's
    clerks manage the participations in their own contracts (ContractParticipationAdmin)."""

    fund_path = SHARED

    list_display = ["name", "kind", "postal_code", "city", "lanr", "bsnr", "accepts_new_patients"]
    list_filter = ["kind", "accepts_new_patients", "wheelchair_accessible", "land"]
    search_fields = ["name", "lanr", "bsnr", "postal_code", "city"]
    search_help_text = _("LANR oder BSNR (genau), Postleitzahl (Anfang), Name (enthält) oder Ort (Anfang)")
    inlines = [ParticipationInline]
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """Indexed over 200,000 providers: nine digits are a LANR or BSNR (exact), fewer digits
        the start of a postal code; otherwise the name contains the words (a trigram index on
        PostgreSQL, migration 0170) or the place starts with them."""
        term = search_term.replace("\x00", "").strip()
        if not term:
            return queryset, False
        if re.fullmatch(r"\d{9}", term):
            return queryset.filter(Q(lanr=term) | Q(bsnr=term)), False
        if term.isdigit():
            return queryset.filter(postal_code__startswith=term), False
        return queryset.filter(Q(name__icontains=term) | Q(city__istartswith=term)), False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in obj.lanr_warnings():
            messages.warning(request, warning)


@admin.register(ContractParticipation)
class ContractParticipationAdmin(CsvImportExportMixin, FundScopedAdmin):
    fund_path = "contract__fund"
    csv_kind = "participations"
    list_display = ["provider", "contract", "valid_from", "valid_until"]
    list_select_related = ["provider", "contract__program", "contract__fund"]
    autocomplete_fields = ["provider", "contract"]
    search_fields = ["provider__name", "contract__program__title"]
    list_filter = [("valid_until", admin.EmptyFieldListFilter)]
