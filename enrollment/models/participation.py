"""A participation (Teilnahmeerklärung) and its lifecycle: the record, its guard predicates
and the event rows of its history."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.append_only import AppendOnlyModel
from enrollment.lifecycle import (
    CANCELLABLE_STATUSES,
    DECLARED_STATUSES,
    DOCTOR_CHANGE_STATUSES,
    ENDING_STATUSES,
    EXTRAORDINARY_CANCELLABLE_STATUSES,
    OPEN_STATUSES,
    REVOCABLE_STATUSES,
    STARTED_STATUSES,
    TERM_RUNNING_STATUSES,
    Status,
    can_transition,
)
from enrollment.models.persons import InsuredPerson
from programs.terms import deadlines


class Channel(models.TextChoices):
    """How a declaration or a later step reached the fund."""

    ONLINE = "online", _("online")
    PRACTICE = "practice", _("auf Papier in der Praxis")
    BRANCH = "branch", _("in der Geschäftsstelle")
    STAFF = "staff", _("durch die Sachbearbeitung")
    SYSTEM = "system", _("automatisch")


#: Channels a declaration itself can come through (the others are for later events).
DECLARATION_CHANNELS = (Channel.ONLINE, Channel.PRACTICE, Channel.BRANCH)


class SignerKind(models.TextChoices):
    SELF = "self", _("die versicherte Person selbst")
    REPRESENTATIVE = "representative", _("die gesetzliche Vertretung")


class InstructionMethod(models.TextChoices):
    """How the Belehrung about the right of revocation was given (DOMAIN.md §2)."""

    ONLINE = "online", _("im Online-Formular vor dem Absenden")
    PAPER = "paper", _("schriftlich mit dem Erklärungsformular")
    LETTER = "letter", _("per Brief der Krankenkasse")
    BRANCH = "branch", _("mündlich und schriftlich in der Geschäftsstelle")


class Participation(models.Model):
    """One Teilnahmeerklärung of one insured person for one contract, and its lifecycle.

    Invariants (database constraints unless noted):
    - `status` is one of `lifecycle.Status`; it changes only in `enrollment.services`, along
      `lifecycle.TRANSITIONS`, and every change writes a `ParticipationEvent`.
    - At most one open participation (`lifecycle.OPEN_STATUSES`) per person and program, per
      person in HzV (one GP at a time) and per person and DMP indication. `program`,
      `program_type` and `dmp_indication` are copies from the contract, kept only so the
      database can enforce these rules; the services set them.
    - `idempotency_key` is unique: a repeated or parallel submit of the same form yields the
      same record.
    - The texts the person saw (`declaration_text`, `consent_text`, `revocation_instruction`,
      `contract_version`) are copies, so later contract edits never change what was declared.
    - Every date comes from `programs.terms.deadlines`: `revocation_deadline` (last day, 24:00
      Europe/Berlin; null for DMP and while no Belehrung was given), `start_date`,
      `binding_end` (end of the first binding), `term_end` (end of the running term, moved on
      by renewals), `cancel_by` (last day a cancellation must reach the fund to end the
      participation at `term_end`; no § 193 shift) and `end_date` (last day of participation).
    - revoked ⇒ revoked_at; rejected ⇒ rejected_at; ending/ended ⇒ end_date;
      awaiting_start/active/ending/ended ⇒ start_date; a DMP is never past awaiting_doctor
      without `doctor_confirmed_at`; an HzV participation always names its GP (`provider`).
    """

    person = models.ForeignKey(
        InsuredPerson, on_delete=models.PROTECT, related_name="participations", verbose_name=_("versicherte Person")
    )
    contract = models.ForeignKey(
        "programs.Contract", on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("Vertrag")
    )
    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("Programm"),
        editable=False,
    )
    program_type = models.CharField(_("Programmart"), max_length=10, editable=False)
    dmp_indication = models.CharField(_("DMP-Indikation"), max_length=2, blank=True, editable=False)
    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
        verbose_name=_("gewählte Ärztin / gewählter Arzt bzw. Einrichtung"),
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, editable=False
    )

    channel = models.CharField(_("Weg der Erklärung"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    signer_kind = models.CharField(
        _("unterschrieben von"), max_length=20, choices=SignerKind.choices, default=SignerKind.SELF
    )
    signer = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_participations",
        verbose_name=_("gesetzliche Vertretung"),
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erfasst von (Konto)"),
    )
    declared_at = models.DateTimeField(_("Erklärung abgegeben am"))
    instructed_at = models.DateTimeField(_("Widerrufsbelehrung am"), null=True, blank=True)
    instruction_method = models.CharField(
        _("Art der Belehrung"), max_length=10, choices=InstructionMethod.choices, blank=True
    )

    contract_version = models.CharField(_("Vertragsversion"), max_length=20)
    declaration_text = models.TextField(_("Text der Erklärung (wie gezeigt)"))
    consent_text = models.TextField(_("Einwilligungstext (wie gezeigt)"), blank=True)
    revocation_instruction = models.TextField(_("Widerrufsbelehrung (wie gezeigt)"), blank=True)
    consents = models.JSONField(_("erteilte Einwilligungen"), default=dict, blank=True)

    holiday_lands = models.CharField(
        _("Feiertage der Länder"), max_length=20, blank=True, help_text=_("Für § 193 BGB berücksichtigte Länder")
    )
    revocation_deadline = models.DateField(_("Widerruf bis (einschließlich)"), null=True, blank=True)
    start_date = models.DateField(_("Teilnahmebeginn"), null=True, blank=True)
    binding_end = models.DateField(_("gebunden bis"), null=True, blank=True)
    term_end = models.DateField(_("laufender Zeitraum bis"), null=True, blank=True)
    cancel_by = models.DateField(_("nächste Kündigung bis (Eingang)"), null=True, blank=True)
    end_date = models.DateField(_("Teilnahme endet am"), null=True, blank=True)
    end_reason = models.CharField(_("Grund des Endes"), max_length=40, blank=True)

    doctor_confirmed_at = models.DateTimeField(_("ärztliche Bestätigung am"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("widerrufen am (Absendung)"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("gekündigt am"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("abgelehnt am"), null=True, blank=True)

    idempotency_key = models.UUIDField(_("Idempotenzschlüssel"), unique=True, editable=False)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("zuletzt geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Teilnahme")
        verbose_name_plural = _("Teilnahmen")
        ordering = ["-declared_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "start_date"], name="participation_status_start"),
            models.Index(fields=["person", "status"], name="participation_person_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="participation_status_valid"),
            models.CheckConstraint(
                condition=Q(channel__in=[c.value for c in DECLARATION_CHANNELS]), name="participation_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(signer_kind__in=SignerKind.values), name="participation_signer_kind_valid"
            ),
            models.CheckConstraint(
                condition=(Q(signer_kind=SignerKind.REPRESENTATIVE) & Q(signer__isnull=False))
                | (Q(signer_kind=SignerKind.SELF) & Q(signer__isnull=True)),
                name="participation_signer_iff_representative",
            ),
            models.CheckConstraint(
                condition=Q(instruction_method="") | Q(instruction_method__in=InstructionMethod.values),
                name="participation_instruction_method_valid",
            ),
            models.CheckConstraint(
                condition=Q(instructed_at__isnull=True, instruction_method="")
                | Q(instructed_at__isnull=False) & ~Q(instruction_method=""),
                name="participation_instruction_how_when",
            ),
            models.UniqueConstraint(
                fields=["person", "program"],
                condition=Q(status__in=OPEN_STATUSES),
                name="participation_one_open_per_program",
                violation_error_message=_("Für dieses Programm besteht bereits eine offene Teilnahme."),
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=OPEN_STATUSES, program_type="hzv"),
                name="participation_one_open_hzv",
                violation_error_message=_("Es besteht bereits eine offene Teilnahme an einem Hausarztprogramm."),
            ),
            models.UniqueConstraint(
                fields=["person", "dmp_indication"],
                condition=Q(status__in=OPEN_STATUSES, program_type="dmp"),
                name="participation_one_open_dmp_per_indication",
                violation_error_message=_("Für diese Indikation besteht bereits eine offene DMP-Teilnahme."),
            ),
            models.CheckConstraint(
                condition=~Q(program_type="hzv") | Q(provider__isnull=False), name="participation_hzv_has_gp"
            ),
            models.CheckConstraint(
                condition=~Q(program_type="dmp") | ~Q(dmp_indication=""), name="participation_dmp_has_indication"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.REVOKED) | Q(revoked_at__isnull=False), name="participation_revoked_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.REJECTED) | Q(rejected_at__isnull=False),
                name="participation_rejected_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=list(ENDING_STATUSES)) | Q(end_date__isnull=False),
                name="participation_ending_has_end_date",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=list(STARTED_STATUSES)) | Q(start_date__isnull=False),
                name="participation_started_has_start_date",
            ),
            models.CheckConstraint(
                condition=~Q(program_type="dmp", status__in=list(STARTED_STATUSES))
                | Q(doctor_confirmed_at__isnull=False),
                name="participation_dmp_needs_doctor",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="participation_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(binding_end__isnull=True) | Q(start_date__isnull=False),
                name="participation_binding_needs_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.contract.program}"

    # --- cheap predicates and derived values (no writes) --------------------------------------

    @property
    def is_dmp(self) -> bool:
        return self.program_type == "dmp"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def lands(self) -> tuple[str, ...]:
        return tuple(code for code in self.holiday_lands.split(",") if code)

    @property
    def revocation_deadline_end(self) -> dt.datetime | None:
        """The exact end of the revocation period: 24:00 (23:59:59.999999) Europe/Berlin."""
        if self.revocation_deadline is None:
            return None
        return dt.datetime.combine(self.revocation_deadline, dt.time.max, tzinfo=deadlines.BERLIN)

    def revocation_deadline_detail(self) -> deadlines.Deadline | None:
        """The deadline with the days § 193 skipped, recomputed from the stored inputs."""
        if self.revocation_deadline is None or self.instructed_at is None or not self.lands:
            return None
        return deadlines.revocation_deadline(
            declared_on=timezone.localdate(self.declared_at),
            instructed_on=timezone.localdate(self.instructed_at),
            lands=self.lands,
            days=self.contract.revocation_days or deadlines.REVOCATION_DAYS,
        )

    def revocation_without_deadline(self) -> bool:
        """True when a revocation is possible at any time: DMP consent, or no Belehrung yet."""
        return self.revocation_deadline is None

    def can_revoke(self, *, now: dt.datetime) -> bool:
        """Whether a revocation dispatched at `now` is still possible and in time."""
        if self.status not in REVOCABLE_STATUSES:
            return False
        if self.revocation_deadline is None:
            return True
        return now <= self.revocation_deadline_end

    def revocation_days_left(self, *, now: dt.datetime) -> int | None:
        """Whole days from today (Europe/Berlin) to the last day, 0 on the last day itself."""
        if self.revocation_deadline is None:
            return None
        return (self.revocation_deadline - timezone.localdate(now)).days

    @property
    def has_binding(self) -> bool:
        return self.term_end is not None

    def cancellation_term(self, *, on: dt.date) -> deadlines.CancellationTerm | None:
        """The term a cancellation arriving (or dispatched, per contract) on `on` would end.

        None if the participation cannot be cancelled ordinarily (DMP: consent is revoked
        instead; not yet started without a start date; no term left without renewal).
        """
        if self.start_date is None or self.binding_end is None:
            return None
        contract = self.contract
        return deadlines.next_cancellation_date(
            start=self.start_date,
            binding_months=contract.binding_months,
            renewal_months=contract.renewal_months,
            notice_months=contract.notice_months,
            notice_days=contract.notice_days,
            on=on,
        )

    def can_cancel(self, *, now: dt.datetime) -> bool:
        """Whether an ordinary cancellation arriving at `now` has a term to end (never DMP:
        its consent is withdrawn instead)."""
        if self.is_dmp or self.status not in CANCELLABLE_STATUSES:
            return False
        return self.cancellation_term(on=timezone.localdate(now)) is not None

    def revocation_period_over(self, *, now: dt.datetime) -> bool:
        """A revocation period existed and has passed while the term runs (cancel instead)."""
        return (
            self.revocation_deadline is not None
            and not self.can_revoke(now=now)
            and self.status in TERM_RUNNING_STATUSES
        )

    def can_confirm_doctor(self) -> bool:
        """DMP: the doctor's confirmation is awaited (only then awaiting_doctor → awaiting_start)."""
        return self.status == Status.AWAITING_DOCTOR

    def can_record_instruction(self) -> bool:
        """A Belehrung can be recorded later while the revocation period has not started."""
        return self.status == Status.SUBMITTED and self.instructed_at is None and not self.is_dmp

    def can_reject(self) -> bool:
        """Staff may reject a declaration until the participation has begun."""
        return can_transition(self.status, Status.REJECTED)

    def can_end_early(self) -> bool:
        """Staff may end a running participation now (e.g. DMP criteria no longer met)."""
        return self.status == Status.ACTIVE

    def can_request_doctor_change(self) -> bool:
        """The chosen doctor of a non-DMP participation may be changed in this status (whether a
        wichtiger Grund is needed is a question of the binding, see `in_binding`)."""
        return self.status in DOCTOR_CHANGE_STATUSES and self.provider_id is not None and not self.is_dmp

    def can_request_extraordinary_cancellation(self) -> bool:
        """A Kündigung aus wichtigem Grund may be requested (not for DMP: consent is withdrawn)."""
        return not self.is_dmp and self.status in EXTRAORDINARY_CANCELLABLE_STATUSES

    def doctor_change_needs_reason(self, *, on: dt.date) -> bool:
        """Within the binding (or before a start that begins one): only for a wichtiger Grund."""
        return self.in_binding(on=on) or (
            self.start_date is not None and on < self.start_date and self.binding_end is not None
        )

    def in_binding(self, *, on: dt.date) -> bool:
        """Within the first binding period (HzV: GP change only for a wichtiger Grund)."""
        return self.binding_end is not None and self.start_date is not None and on <= self.binding_end

    def display_state(self, *, now: dt.datetime) -> str:
        """The state shown to people: the status, except that a revocable participation inside
        its revocation window shows as "in_revocation_period" (see `enrollment.lifecycle`)."""
        if self.status in DECLARED_STATUSES and self.revocation_deadline is not None and self.can_revoke(now=now):
            return "in_revocation_period"
        return self.status

    def display_state_label(self, *, now: dt.datetime) -> str:
        state = self.display_state(now=now)
        if state == "in_revocation_period":
            return str(_("in der Widerrufsfrist"))
        return str(Status(state).label)


class EventReason(models.TextChoices):
    """Why an event happened: one code per kind of step (shown on the timeline)."""

    DECLARED = "declared", _("Teilnahmeerklärung abgegeben")
    INSTRUCTED = "instructed", _("Widerrufsbelehrung nachgeholt")
    DOCTOR_CONFIRMED = "doctor_confirmed", _("ärztliche Bestätigung eingegangen")
    REVOCATION_PERIOD_OVER = "revocation_period_over", _("Widerrufsfrist abgelaufen")
    STARTED = "started", _("Teilnahme begonnen")
    REVOKED = "revoked", _("widerrufen")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Einwilligung widerrufen (DMP)")
    CANCELLED = "cancelled", _("gekündigt")
    EXTRAORDINARY_REQUESTED = "extraordinary_requested", _("Kündigung aus wichtigem Grund beantragt")
    EXTRAORDINARY_APPROVED = "extraordinary_approved", _("Kündigung aus wichtigem Grund anerkannt")
    EXTRAORDINARY_REJECTED = "extraordinary_rejected", _("Kündigung aus wichtigem Grund abgelehnt")
    DOCTOR_CHANGE_REQUESTED = "doctor_change_requested", _("Arztwechsel beantragt")
    DOCTOR_CHANGE_APPROVED = "doctor_change_approved", _("Arztwechsel genehmigt")
    DOCTOR_CHANGE_REJECTED = "doctor_change_rejected", _("Arztwechsel abgelehnt")
    DOCTOR_CHANGED = "doctor_changed", _("Arztwechsel wirksam")
    RENEWED = "renewed", _("verlängert")
    TERM_EXPIRED = "term_expired", _("Laufzeit ohne Verlängerung abgelaufen")
    ENDED = "ended", _("beendet")
    REJECTED = "rejected", _("abgelehnt")
    REMINDER_SENT = "reminder_sent", _("Erinnerung an die Kündigungsfrist versandt")


class ParticipationEvent(AppendOnlyModel):
    """One step in the history of a participation: who, when, through which channel, why.

    Written only by `enrollment.services`, never changed or deleted afterwards (`AppendOnlyModel`;
    on PostgreSQL also a database trigger). `from_status` is empty
    for the creation; renewals, reminders and doctor changes keep the status
    (from_status == to_status).
    """

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="events", verbose_name=_("Teilnahme")
    )
    from_status = models.CharField(_("von"), max_length=20, blank=True)
    to_status = models.CharField(_("nach"), max_length=20)
    at = models.DateTimeField(_("Zeitpunkt"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("durch"),
    )
    channel = models.CharField(_("Weg"), max_length=10, choices=Channel.choices)
    reason_code = models.CharField(_("Grund"), max_length=40, choices=EventReason.choices)
    text = models.TextField(_("Text"), blank=True)
    data = models.JSONField(_("Daten"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Ereignis")
        verbose_name_plural = _("Ereignisse")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["participation", "reason_code"], name="event_participation_reason")]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status="") | Q(from_status__in=Status.values), name="event_from_status_valid"
            ),
            models.CheckConstraint(condition=Q(to_status__in=Status.values), name="event_to_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="event_channel_valid"),
            models.CheckConstraint(condition=Q(reason_code__in=EventReason.values), name="event_reason_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_code_display()} ({self.at:%d.%m.%Y %H:%M})"
