from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("anzeigen/", views.show, name="show"),
    path("vergleich/", views.compare_show, name="compare_show"),
    path("vergleich/<int:year>/", views.compare, name="compare"),
    path("vergleich/<int:year>/<slug:slug>.csv", views.compare_csv, name="compare_csv"),
    path("<slug:fund_slug>/verlauf/", views.series, name="series"),
    path("<slug:fund_slug>/verlauf/<slug:slug>.csv", views.series_csv, name="series_csv"),
    path("<slug:fund_slug>/<int:year>/", views.detail, name="detail"),
    path("<slug:fund_slug>/<int:year>/veroeffentlichen/", views.publish, name="publish"),
    path("<slug:fund_slug>/<int:year>/pdf/", views.pdf_download, name="pdf"),
    path("<slug:fund_slug>/<int:year>/pdf/status/", views.pdf_status, name="pdf_status"),
    path("<slug:fund_slug>/<int:year>/tabellen.zip", views.tables_zip_download, name="zip"),
    path("<slug:fund_slug>/<int:year>/<slug:slug>.csv", views.table_csv_download, name="csv"),
]
