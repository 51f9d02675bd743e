""" "Meine Daten" for signed-in persons (backoffice.data_export): thin views, no caching."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from backoffice import data_export


@login_required
@never_cache
def my_data(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/my_data.html")


def _download(content: bytes, content_type: str, suffix: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="meine-daten-{stamp}.{suffix}"'
    return response


@login_required
@never_cache
def my_data_json(request: HttpRequest) -> HttpResponse:
    return _download(data_export.export_json(request.user), "application/json; charset=utf-8", "json")


@login_required
@never_cache
def my_data_pdf(request: HttpRequest) -> HttpResponse:
    return _download(data_export.export_pdf(request.user), "application/pdf", "pdf")
