from django.urls import path

from programs import views  # noqa: F401

app_name = "programs"

urlpatterns: list = []
