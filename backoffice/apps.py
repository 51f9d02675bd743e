from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The fund staff's back office across the domain apps: roles, audit trail, access log, dashboard.

    Sits on the top floor beside `reports`: it reads every domain app, none of them imports it.
    """

    name = "backoffice"
    verbose_name = _("Verwaltung: Rollen und Protokolle")

    def ready(self):
        from backoffice import retention
        from enrollment import daily

        if retention.daily_step not in daily.EXTRA_STEPS:
            daily.EXTRA_STEPS.append(retention.daily_step)
