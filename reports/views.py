"""Views of the reports app (thin: authorize, fetch, validate, call a service, render).

Every page works without JavaScript; htmx swaps the report (`#report`), the comparison
(`#comparison`) and the PDF status (`#pdf-status`) fragments of the same URLs.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from reports import services
from reports.csv_export import table_csv, tables_zip
from reports.figures import SECTION_KEYS, SECTIONS, branch_choices, compute_report, definitions, report_fingerprint
from reports.forms import CompareSelectForm, PublishForm, ReportSelectForm
from reports.models import ReportFile
from reports.selectors import can_publish, is_member, report_year_for_user_or_404, visible_report_years
from reports.tables import comparison_tables, report_tables, tables_by_section


def _language() -> str:
    return (get_language() or "de")[:2]


def _htmx(request, response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def index(request):
    now = timezone.now()
    report_years = list(visible_report_years(request.user, now=now).order_by("-year", "fund__name"))
    years = sorted({ry.year for ry in report_years}, reverse=True)
    return render(
        request,
        "reports/index.html",
        {
            "report_years": report_years,
            "years": years,
            "members_of": {ry.pk for ry in report_years if is_member(request.user, ry)},
        },
    )


def _report_context(request, report_year, section: str):
    report = compute_report(report_year)
    tables = report_tables(report)
    by_section = tables_by_section(tables)
    language = _language()
    fingerprint = report_fingerprint(report, language=language)
    current_file = ReportFile.objects.filter(
        report_year=report_year, language=language, figures_hash=fingerprint
    ).first()
    sections = [(key, _(label), by_section.get(key, [])) for key, label in SECTIONS if not section or key == section]
    member = is_member(request.user, report_year)
    return {
        "report_year": report_year,
        "report": report,
        "sections": sections,
        "all_sections": [(key, _(label)) for key, label in SECTIONS],
        "section": section,
        "definitions": definitions(),
        "branches": branch_choices(),
        "current_file": current_file,
        "is_member": member,
        "can_publish": can_publish(request.user, report_year),
        "publish_form": PublishForm(),
        "latest_import": report_year.imports.order_by("-created_at").first() if member else None,
    }


@require_GET
def detail(request, fund_slug: str, year: int):
    now = timezone.now()
    report_year = report_year_for_user_or_404(request.user, fund_slug=fund_slug, year=year, now=now)
    section = request.GET.get("abschnitt", "")
    if section and section not in SECTION_KEYS:
        raise Http404("No such section")
    visible = list(visible_report_years(request.user, now=now))
    form = ReportSelectForm(
        initial={"kasse": report_year.fund.slug, "jahr": report_year.year, "abschnitt": section}, report_years=visible
    )
    context = {**_report_context(request, report_year, section), "form": form}
    template = "reports/report_detail.html#report" if request.htmx else "reports/report_detail.html"
    return _htmx(request, render(request, template, context))


@require_GET
def show(request):
    """The fund/year/section form: without JS a redirect to the report URL; with htmx the
    report fragment directly, with the report URL pushed to the address bar."""
    now = timezone.now()
    visible = list(visible_report_years(request.user, now=now))
    form = ReportSelectForm(request.GET, report_years=visible)
    if not form.is_valid():
        if not visible:
            raise Http404("No reports")
        return redirect("reports:index")
    fund_slug, year, section = form.cleaned_data["kasse"], form.cleaned_data["jahr"], form.cleaned_data["abschnitt"]
    candidates = sorted((ry for ry in visible if ry.fund.slug == fund_slug), key=lambda ry: (ry.year != year, -ry.year))
    report_year = candidates[0]  # the chosen year, or the fund's latest one it has
    url = reverse("reports:detail", args=[report_year.fund.slug, report_year.year])
    if section:
        url += "?" + urlencode({"abschnitt": section})
    if not request.htmx:
        return redirect(url)
    context = {**_report_context(request, report_year, section), "form": form}
    return _htmx(request, push_url(render(request, "reports/report_detail.html#report", context), url))


@require_POST
def publish(request, fund_slug: str, year: int):
    now = timezone.now()
    report_year = report_year_for_user_or_404(request.user, fund_slug=fund_slug, year=year, now=now)
    if not can_publish(request.user, report_year):
        raise Http404("Not allowed")
    form = PublishForm(request.POST)
    if form.is_valid():
        if form.cleaned_data["action"] == "withdraw" and not form.cleaned_data["confirm"]:
            return render(request, "reports/withdraw_confirm.html", {"report_year": report_year})
        if form.cleaned_data["action"] == "publish":
            services.report_year_publish(report_year=report_year, now=now)
            messages.success(request, _("Der Bericht ist veröffentlicht und für alle lesbar."))
        else:
            services.report_year_unpublish(report_year=report_year)
            messages.success(request, _("Der Bericht ist zurückgezogen und nur noch für Ihre Kasse sichtbar."))
    return redirect("reports:detail", fund_slug=fund_slug, year=year)


# --- downloads ----------------------------------------------------------------------------------


def _report_tables_for(request, fund_slug: str, year: int):
    report_year = report_year_for_user_or_404(request.user, fund_slug=fund_slug, year=year, now=timezone.now())
    report = compute_report(report_year)
    return report_year, report, report_tables(report)


@require_GET
def table_csv_download(request, fund_slug: str, year: int, slug: str):
    report_year, _report, tables = _report_tables_for(request, fund_slug, year)
    table = next((t for t in tables if t.slug == slug), None)
    if table is None:
        raise Http404("No such table")
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{fund_slug}-{year}-{slug}.csv"'
    return response


@require_GET
def tables_zip_download(request, fund_slug: str, year: int):
    report_year, report, tables = _report_tables_for(request, fund_slug, year)
    title = _("Transparenzbericht %(fund)s %(year)d") % {"fund": report.fund_name, "year": year}
    response = HttpResponse(
        tables_zip(tables, title=title, data_version=report_year.data_version), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="{fund_slug}-{year}-tabellen.zip"'
    return response


@require_GET
def pdf_download(request, fund_slug: str, year: int):
    """The stored PDF of the current figures; otherwise the status page (create or wait)."""
    report_year = report_year_for_user_or_404(request.user, fund_slug=fund_slug, year=year, now=timezone.now())
    report_file = services.current_report_file(report_year=report_year, language=_language())
    if report_file is None or report_file.status != ReportFile.Status.DONE:
        return redirect("reports:pdf_status", fund_slug=fund_slug, year=year)
    return FileResponse(
        report_file.file.open("rb"),
        as_attachment=True,
        filename=f"transparenzbericht-{fund_slug}-{year}.pdf",
        content_type="application/pdf",
    )


@require_http_methods(["GET", "POST"])
def pdf_status(request, fund_slug: str, year: int):
    """GET: the state of the PDF for the current figures (htmx polls the fragment while it
    is generated). POST: request it (idempotent), then show the state."""
    now = timezone.now()
    report_year = report_year_for_user_or_404(request.user, fund_slug=fund_slug, year=year, now=now)
    if request.method == "POST":
        services.report_file_request(report_year=report_year, language=_language(), user=request.user, now=now)
        if not request.htmx:
            return redirect("reports:pdf_status", fund_slug=fund_slug, year=year)
    report_file = services.current_report_file(report_year=report_year, language=_language())
    context = {"report_year": report_year, "report_file": report_file}
    template = "reports/pdf_status.html#status" if request.htmx else "reports/pdf_status.html"
    return _htmx(request, render(request, template, context))


# --- comparison -------------------------------------------------------------------------------


@require_GET
def compare(request, year: int):
    now = timezone.now()
    visible = list(visible_report_years(request.user, now=now))
    years = sorted({ry.year for ry in visible}, reverse=True)
    report_years = sorted((ry for ry in visible if ry.year == year), key=lambda ry: ry.fund.name)
    if not report_years:
        raise Http404("No reports for that year")
    reports = [compute_report(ry, with_previous=False) for ry in report_years]
    tables = comparison_tables(reports, year)
    form = CompareSelectForm(initial={"jahr": year}, years=years)
    context = {"year": year, "tables": tables, "form": form, "report_years": report_years}
    template = "reports/compare.html#comparison" if request.htmx else "reports/compare.html"
    return _htmx(request, render(request, template, context))


@require_GET
def compare_show(request):
    now = timezone.now()
    years = sorted({ry.year for ry in visible_report_years(request.user, now=now)}, reverse=True)
    form = CompareSelectForm(request.GET, years=years)
    if not form.is_valid():
        return redirect("reports:index")
    url = reverse("reports:compare", args=[form.cleaned_data["jahr"]])
    if not request.htmx:
        return redirect(url)
    return push_url(compare(request, form.cleaned_data["jahr"]), url)


@require_GET
def compare_csv(request, year: int, slug: str):
    now = timezone.now()
    report_years = sorted(
        (ry for ry in visible_report_years(request.user, now=now) if ry.year == year), key=lambda ry: ry.fund.name
    )
    if not report_years:
        raise Http404("No reports for that year")
    tables = comparison_tables([compute_report(ry, with_previous=False) for ry in report_years], year)
    table = next((t for t in tables if t.slug == slug), None)
    if table is None:
        raise Http404("No such table")
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{year}.csv"'
    return response


# --- series over the years ---------------------------------------------------------------------


def _series_for(request, fund_slug: str):
    """The report years of one fund the user may read (oldest first) and their series tables."""
    from reports.series import series_tables

    report_years = sorted(
        visible_report_years(request.user, now=timezone.now()).filter(fund__slug=fund_slug), key=lambda ry: ry.year
    )
    if not report_years:
        raise Http404("No readable reports of that fund")
    reports = [compute_report(ry, with_previous=False, with_programs=False) for ry in report_years]
    return report_years, series_tables(reports)


@require_GET
def series(request, fund_slug: str):
    report_years, tables = _series_for(request, fund_slug)
    context = {"fund": report_years[0].fund, "report_years": report_years, "tables": tables}
    return render(request, "reports/series.html", context)


@require_GET
def series_csv(request, fund_slug: str, slug: str):
    _report_years, tables = _series_for(request, fund_slug)
    table = next((t for t in tables if t.slug == slug), None)
    if table is None:
        raise Http404("No such table")
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{fund_slug}-{slug}.csv"'
    return response
