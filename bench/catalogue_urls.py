"""The app's URLs plus `/bench/minimal/`: the reference view of bench/catalogue.py (the whole
middleware stack, no template, no query)."""

from django.http import HttpResponse
from django.urls import include, path


def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("", include("config.urls")),
]
