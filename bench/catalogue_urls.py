"""The app's URLs plus `/bench/minimal/`: the reference view of bench/catalogue.py (the whole
middleware stack, no template, no query)."""

from django.http import HttpResponse
from django.urls import include, path

from config import urls as project_urls


def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("", include("config.urls")),
]

# Error handlers are looked up in the root URLconf only: the same as the project's.
handler400 = getattr(project_urls, "handler400", "django.views.defaults.bad_request")
handler403 = getattr(project_urls, "handler403", "django.views.defaults.permission_denied")
handler404 = getattr(project_urls, "handler404", "django.views.defaults.page_not_found")
handler500 = project_urls.handler500
