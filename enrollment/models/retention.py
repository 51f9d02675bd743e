"""What remains of participations deleted after the retention period (issue 9 §3).

`backoffice.retention` deletes an ended, revoked or rejected participation with its events,
requests and issued documents once the retention period after its end has passed. Two kinds
of rows remain, neither naming a person:

- `RetainedCount`: the participation's contribution to the report figures (participants at
  a year's end, declarations, revocations, cancellations, endings per fund, program, year and
  Land of residence), so the transparency reports of past years show the same numbers after
  the deletion (`reports.participation` adds these counts to the live ones);
- `RetentionDeletion`: that participation number so-and-so of this program and fund ended on
  this day and was deleted at this time, the fund's evidence that the rule was applied.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RetainedMeasure(models.TextChoices):
    PARTICIPANTS = "participants", _("Teilnehmende am Jahresende")
    DECLARATIONS = "declarations", _("Erklärungen")
    REVOCATIONS = "revocations", _("Widerrufe")
    CANCELLATIONS = "cancellations", _("Kündigungen")
    ENDINGS = "endings", _("beendete Teilnahmen")


class RetainedCount(models.Model):
    fund = models.ForeignKey(
        "programs.Fund", on_delete=models.PROTECT, related_name="+", verbose_name=_("Krankenkasse")
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="+", verbose_name=_("Programm")
    )
    program_type = models.CharField(_("Programmart"), max_length=10)
    year = models.PositiveSmallIntegerField(_("Jahr"))
    land = models.ForeignKey("programs.Land", on_delete=models.PROTECT, related_name="+", verbose_name=_("Land"))
    measure = models.CharField(_("Kennzahl"), max_length=20, choices=RetainedMeasure.choices)
    count = models.PositiveIntegerField(_("Anzahl"))

    class Meta:
        verbose_name = _("Zählung gelöschter Teilnahmen")
        verbose_name_plural = _("Zählungen gelöschter Teilnahmen")
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "program", "year", "land", "measure"],
                name="retainedcount_unique",
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="retainedcount_positive"),
            models.CheckConstraint(condition=Q(measure__in=RetainedMeasure.values), name="retainedcount_measure_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_measure_display()}: {self.count}"


class RetentionDeletion(models.Model):
    participation_id = models.PositiveBigIntegerField(_("Teilnahme-Nr."), unique=True)
    fund = models.ForeignKey(
        "programs.Fund", on_delete=models.PROTECT, related_name="+", verbose_name=_("Krankenkasse")
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="+", verbose_name=_("Programm")
    )
    status = models.CharField(_("letzter Stand"), max_length=20)
    closed_on = models.DateField(_("beendet am"))
    deleted_at = models.DateTimeField(_("gelöscht am"))
    documents = models.PositiveIntegerField(_("gelöschte Dokumente"), default=0)
    events = models.PositiveIntegerField(_("gelöschte Ereignisse"), default=0)

    class Meta:
        verbose_name = _("Löschung nach Aufbewahrungsfrist")
        verbose_name_plural = _("Löschungen nach Aufbewahrungsfrist")
        ordering = ["-deleted_at", "-pk"]

    def __str__(self) -> str:
        return f"Teilnahme #{self.participation_id} ({self.closed_on:%d.%m.%Y})"
