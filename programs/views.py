"""Public catalogue views (thin: validate input, call selectors, render)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from programs.models import Fund, Program


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programs/home.html",
        {"program_count": Program.objects.filter(is_published=True).count(), "funds": Fund.objects.all()},
    )
