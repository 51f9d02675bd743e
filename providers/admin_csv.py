"""CSV import and export in the admin of providers and of contract participations
(providers/csv_io.py, docs/import-formats.md).

Import: upload → preview (counts, the first rows, every wrong row with its line number; nothing
written) → "Jetzt importieren" → all rows in one transaction. Between preview and confirmation
the file waits in the shared cache under a random token for an hour; the confirmation takes it
out, so a second click (or a reload) cannot import it twice. Who may import: providers — who may
add and change providers (the operator, docs/roles.md); participations — who may add and change
participations, and only into the contracts of their own fund.

Export: the rows the user can see in the changelist (tenancy scoped), in the import format.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.scoping import user_fund_id
from providers.csv_io import export_participations, export_providers, import_participations, import_providers

STAGING_SECONDS = 3600
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV-Datei"),
        help_text=gettext_lazy("UTF-8, Semikolon als Trennzeichen, eine Kopfzeile (docs/import-formats.md)"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Die Datei ist größer als 100 MB."))
        return upload


class CsvImportExportMixin:
    """For ProviderAdmin (`csv_kind = "providers"`) and ContractParticipationAdmin."""

    csv_kind = "providers"
    change_list_template = "admin/providers/change_list_csv.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path("csv-import/", wrap(self.csv_import_view), name=f"{prefix}_csv_import"),
            path("csv-export/", wrap(self.csv_export_view), name=f"{prefix}_csv_export"),
            *super().get_urls(),
        ]

    def _may_import(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        prefix = f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}"
        extra = {
            "csv_export_url": reverse(f"{prefix}_csv_export"),
            "csv_import_url": reverse(f"{prefix}_csv_import") if self._may_import(request) else None,
        }
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def _run(self, request, data: bytes, *, dry_run: bool):
        if self.csv_kind == "providers":
            return import_providers(data, dry_run=dry_run)
        fund_ids = None if request.user.is_superuser else [user_fund_id(request.user)]
        return import_participations(data, fund_ids=[f for f in fund_ids if f] if fund_ids else None, dry_run=dry_run)

    def csv_import_view(self, request):
        if not self._may_import(request):
            raise PermissionDenied
        opts = self.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": _("%(name)s aus CSV importieren") % {"name": opts.verbose_name_plural},
            "changelist_url": changelist,
        }
        if request.method == "POST" and "token" in request.POST:
            token = request.POST["token"]
            key = f"provider-csv:{request.user.pk}:{token}"
            data = cache.get(key)
            cache.delete(key)  # taken out: a second confirmation finds nothing
            if data is None:
                messages.warning(request, _("Diese Datei wurde bereits importiert oder die Vorschau ist abgelaufen."))
                return HttpResponseRedirect(changelist)
            result = self._run(request, data, dry_run=False)
            if result.ok:
                messages.success(
                    request,
                    _("Import abgeschlossen: %(created)s neu, %(updated)s geändert, %(unchanged)s unverändert.")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                )
                return HttpResponseRedirect(changelist)
            return TemplateResponse(request, "admin/providers/csv_import.html", {**context, "result": result})
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data["file"].read()
            result = self._run(request, data, dry_run=True)
            context.update(result=result, form=UploadForm())
            if result.ok:
                token = secrets.token_urlsafe(24)
                cache.set(f"provider-csv:{request.user.pk}:{token}", data, STAGING_SECONDS)
                context["token"] = token
            return TemplateResponse(request, "admin/providers/csv_import.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/providers/csv_import.html", context)

    def csv_export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        queryset = self.get_queryset(request)
        text = export_providers(queryset) if self.csv_kind == "providers" else export_participations(queryset)
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        name = "leistungserbringer" if self.csv_kind == "providers" else "vertragsteilnahmen"
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response
