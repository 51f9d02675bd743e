from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = _("Teilnahme")

    def ready(self) -> None:
        from enrollment.accounts import sessions  # noqa: F401 - connects the sign-in receiver
