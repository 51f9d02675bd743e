from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """No models, so no verbose name: nothing of this app appears in the admin."""

    name = "devdata"
