"""Admin of the reports app: report years (base figures, publication), CSV uploads with
progress and row errors, stored PDFs, and read-only rollups. Staff see only their fund."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from programs.admin import FundScopedAdmin
from programs.scoping import funds_for_user
from reports import services
from reports.forms import ImportUploadForm
from reports.models import ApplicationRollup, ImportRun, RemedyRollup, ReportFile, ReportYear


class ReadOnlyAdmin(FundScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportYear)
class ReportYearAdmin(FundScopedAdmin):
    list_display = ["fund", "year", "published_at", "data_version", "average_insured", "average_sick_pay_members"]
    list_filter = ["year", "fund"]
    list_select_related = ["fund"]
    fields = [
        "fund",
        "year",
        "average_insured",
        "average_sick_pay_members",
        "published_at",
        "data_version",
        "data_changed_at",
    ]
    readonly_fields = ["published_at", "data_version", "data_changed_at"]
    actions = ["publish", "unpublish"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "fund", "year"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # base figures are data: the service bumps the data version (stored PDFs go stale)
        services.report_year_set_base_figures(
            report_year=obj,
            average_insured=form.cleaned_data["average_insured"],
            average_sick_pay_members=form.cleaned_data["average_sick_pay_members"],
            now=timezone.now(),
        )

    @admin.action(description=_("Ausgewählte Berichte veröffentlichen"))
    def publish(self, request, queryset):
        now = timezone.now()
        for report_year in queryset:
            services.report_year_publish(report_year=report_year, now=now)
        self.message_user(request, _("Veröffentlicht."), messages.SUCCESS)

    @admin.action(description=_("Veröffentlichung zurückziehen"))
    def unpublish(self, request, queryset):
        for report_year in queryset:
            services.report_year_unpublish(report_year=report_year)
        self.message_user(request, _("Zurückgezogen."), messages.SUCCESS)


@admin.register(ImportRun)
class ImportRunAdmin(FundScopedAdmin):
    """Upload = a new run: the file is stored and imported by the background worker."""

    fund_path = "report_year__fund"
    list_display = [
        "original_name",
        "report_year",
        "dataset",
        "status",
        "progress_display",
        "error_count",
        "created_at",
    ]
    list_filter = ["status", "dataset"]
    list_select_related = ["report_year__fund"]
    readonly_fields = [
        "report_year",
        "dataset",
        "original_name",
        "status",
        "progress_display",
        "rows_read",
        "rows_imported",
        "error_count",
        "message",
        "error_list",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    ]
    fields = readonly_fields

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Fortschritt"))
    def progress_display(self, obj: ImportRun):
        return format_html('<progress max="100" value="{}">{} %</progress> {} %', obj.percent, obj.percent, obj.percent)

    @admin.display(description=_("Fehler (Zeile: Meldung)"))
    def error_list(self, obj: ImportRun):
        if not obj.errors:
            return "–"
        items = format_html_join("", "<li>{}: {}</li>", ((e["line"], e["message"]) for e in obj.errors[:1000]))
        more = obj.error_count - min(len(obj.errors), 1000)
        return format_html(
            "<ul>{}</ul>{}", items, format_html("<p>… {} {}</p>", more, _("weitere")) if more > 0 else ""
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        funds = funds_for_user(request.user)
        form = ImportUploadForm(request.POST or None, request.FILES or None, funds=funds)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["upload"]
            report_year = services.report_year_get_or_create(
                fund=form.cleaned_data["fund"], year=form.cleaned_data["year"]
            )
            run = services.import_run_create(
                report_year=report_year,
                original_name=upload.name,
                file=upload,
                dataset=form.cleaned_data["dataset"],
                user=request.user,
                now=timezone.now(),
            )
            services.import_run_enqueue(run=run)
            self.message_user(
                request,
                _(
                    "Die Datei wurde gespeichert; der Import läuft im Hintergrund. Laden Sie diese Seite neu, um den Fortschritt zu sehen."
                ),
                messages.SUCCESS,
            )
            return redirect(reverse("admin:reports_importrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Berichtsdaten hochladen"),
            "form": form,
            "opts": self.model._meta,
            "add": True,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/reports/importrun/upload.html", context)


@admin.register(ReportFile)
class ReportFileAdmin(ReadOnlyAdmin):
    fund_path = "report_year__fund"
    list_display = ["report_year", "language", "status", "progress", "pages", "size", "render_seconds", "created_at"]
    list_filter = ["status", "language"]
    list_select_related = ["report_year__fund"]


@admin.register(ApplicationRollup)
class ApplicationRollupAdmin(ReadOnlyAdmin):
    fund_path = "report_year__fund"
    list_display = [
        "report_year",
        "category",
        "branch",
        "outcome",
        "expert_opinion",
        "count",
        "processing_days_sum",
        "decided_in_time",
    ]
    list_filter = ["branch", "outcome", "category"]
    list_select_related = ["report_year__fund"]


@admin.register(RemedyRollup)
class RemedyRollupAdmin(ReadOnlyAdmin):
    fund_path = "report_year__fund"
    list_display = ["report_year", "kind", "branch", "outcome", "received", "settled"]
    list_filter = ["kind", "branch"]
    list_select_related = ["report_year__fund"]
