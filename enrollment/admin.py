from __future__ import annotations

import datetime as dt
import re
import uuid

from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enrollment import services
from enrollment.accounts.admin import ActivationLetterAdminMixin, issue_activation_letters, revoke_activation_codes
from enrollment.admin_display import consents_text, event_data_text
from enrollment.admin_links import AccountLinkAdminMixin, LegalRepresentationAdminBase, RepresentationInline
from enrollment.forms import (
    ConfirmDoctorForm,
    DecisionForm,
    EndForm,
    InstructionForm,
    PaperDeclarationForm,
    RejectForm,
)
from enrollment.lifecycle import STARTABLE_STATUSES, EnrollmentError, Status
from enrollment.models import (
    CancellationRequest,
    DoctorChangeRequest,
    InstructionMethod,
    InsuredPerson,
    LegalRepresentation,
    Participation,
    ParticipationEvent,
    RequestDecision,
)
from programs import dates
from programs.admin import FundScopedAdmin
from programs.admin_scoping import TenantInline
from programs.models import Contract
from programs.scoping import scope_to_fund
from programs.terms.deadlines import BERLIN


@admin.register(InsuredPerson)
class InsuredPersonAdmin(ActivationLetterAdminMixin, AccountLinkAdminMixin, FundScopedAdmin):
    list_display = ["kvnr", "last_name", "first_name", "birth_date", "postal_code", "city", "fund"]
    list_select_related = ["fund"]
    search_fields = ["kvnr", "last_name", "first_name", "postal_code"]
    search_help_text = _(
        "KVNR (genau), Postleitzahl (Anfang) oder Name (Anfang von Nach- oder Vorname, z. B. „Müll Anna“)"
    )
    list_filter = ["land"]
    raw_id_fields = ["gemeinde"]
    inlines = [RepresentationInline]
    show_full_result_count = False
    actions = [issue_activation_letters, revoke_activation_codes]

    def get_search_results(self, request, queryset, search_term):
        """Indexed at a million rows (docs/back-office.md): a KVNR is looked up exactly, digits
        as the start of a postal code, words as the start of the last or first name (each word
        must match one of them). Django's default ("contains" over four columns) scans the table."""
        term = search_term.replace("\x00", "").strip()
        if not term:
            return queryset, False
        if re.fullmatch(r"[A-Za-z]\d{9}", term):
            return queryset.filter(kvnr=term.upper()), False
        if term.isdigit():
            return queryset.filter(postal_code__startswith=term), False
        for word in term.split()[:4]:
            queryset = queryset.filter(Q(last_name__istartswith=word) | Q(first_name__istartswith=word))
        return queryset, False


@admin.register(LegalRepresentation)
class LegalRepresentationAdmin(LegalRepresentationAdminBase):
    list_display = ["representative", "represented", "kind", "valid_from", "valid_until"]
    autocomplete_fields = ["representative", "represented"]
    list_select_related = ["representative", "represented"]


# --- participations (Teilnahmen): read-only records, every change through a service -------------


def _posted(request):
    return request.POST if request.method == "POST" else None


def _moment(day: dt.date, now: dt.datetime) -> dt.datetime:
    """A date from a paper form as a moment: noon Europe/Berlin (today: not after `now`).

    Only the day matters for the deadlines; the forms refuse days in the future."""
    return min(
        dt.datetime.combine(day, dt.time(12, 0), tzinfo=BERLIN),
        max(now, dt.datetime.combine(day, dt.time.min, tzinfo=BERLIN)),
    )


class ReadOnlyInline(TenantInline, admin.TabularInline):
    fund_path = "participation__contract__fund"
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ParticipationEventInline(ReadOnlyInline):
    model = ParticipationEvent
    fields = ["at", "from_status", "to_status", "reason_code", "channel", "actor", "text", "data_text"]
    readonly_fields = fields
    ordering = ["at", "pk"]

    @admin.display(description=_("Daten"))
    def data_text(self, obj):
        return event_data_text(obj.data)


class DoctorChangeInline(ReadOnlyInline):
    model = DoctorChangeRequest
    fk_name = "participation"
    fields = [
        "requested_at",
        "old_provider",
        "new_provider",
        "reason",
        "reason_text",
        "decision",
        "effective_date",
        "applied_at",
    ]
    readonly_fields = fields


class CancellationRequestInline(ReadOnlyInline):
    model = CancellationRequest
    fields = ["requested_at", "reason", "reason_text", "decision", "effective_date", "decision_note"]
    readonly_fields = fields


class WorkQueueFilter(admin.SimpleListFilter):
    """Work queues of the fund's staff."""

    title = _("Arbeitsvorrat")
    parameter_name = "vorrat"

    def lookups(self, request, model_admin):
        return [
            ("doctor", _("wartet auf ärztliche Bestätigung (DMP)")),
            ("doctor_change", _("offene Arztwechsel")),
            ("cancellation", _("offene Kündigungen aus wichtigem Grund")),
            ("instruction", _("Widerrufsbelehrung fehlt")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "doctor":
            return queryset.filter(status=Status.AWAITING_DOCTOR)
        if self.value() == "doctor_change":
            pending = DoctorChangeRequest.objects.filter(participation=OuterRef("pk"), decision=RequestDecision.PENDING)
            return queryset.filter(Exists(pending))
        if self.value() == "cancellation":
            pending = CancellationRequest.objects.filter(participation=OuterRef("pk"), decision=RequestDecision.PENDING)
            return queryset.filter(Exists(pending))
        if self.value() == "instruction":
            return queryset.filter(status=Status.SUBMITTED, instructed_at__isnull=True).exclude(program_type="dmp")
        return queryset


@admin.action(description=_("Ärztliche Bestätigung mit heutigem Datum erfassen (DMP)"))
def confirm_doctor_today(modeladmin, request, queryset):
    now = timezone.now()
    done = 0
    for participation in queryset.filter(status=Status.AWAITING_DOCTOR):
        try:
            services.participation_confirm_doctor(
                participation=participation, actor=request.user, confirmed_at=now, now=now
            )
            done += 1
        except EnrollmentError as error:
            modeladmin.message_user(request, f"#{participation.pk}: {error}", messages.ERROR)
    modeladmin.message_user(request, gettext("%(n)s Bestätigung(en) erfasst.") % {"n": done})


@admin.action(description=_("Fällige Teilnahmen beginnen lassen"))
def start_due(modeladmin, request, queryset):
    now = timezone.now()
    done = 0
    for participation in queryset.filter(status__in=STARTABLE_STATUSES, start_date__lte=timezone.localdate(now)):
        try:
            services.participation_start(participation=participation, now=now, actor=request.user)
            done += 1
        except EnrollmentError as error:
            modeladmin.message_user(request, f"#{participation.pk}: {error}", messages.ERROR)
    modeladmin.message_user(request, gettext("%(n)s Teilnahme(n) begonnen.") % {"n": done})


@admin.register(Participation)
class ParticipationAdmin(FundScopedAdmin):
    """Staff see their fund's participations read-only; the status is never edited directly.
    "Hinzufügen" records a paper declaration (through `participation_declare`); the buttons
    on a record call the services of the allowed transitions."""

    fund_path = "contract__fund"
    list_display = [
        "pk",
        "person",
        "person__kvnr",
        "program",
        "status",
        "channel",
        "declared_at",
        "start_date",
        "revocation_deadline",
        "provider",
    ]
    list_display_links = ["pk", "person"]
    list_select_related = ["person", "program", "provider"]
    list_filter = [WorkQueueFilter, "status", "channel", "program_type"]
    search_fields = ["person__kvnr", "person__last_name", "=pk"]
    date_hierarchy = "declared_at"
    show_full_result_count = False
    inlines = [ParticipationEventInline, DoctorChangeInline, CancellationRequestInline]
    actions = [confirm_doctor_today, start_due]
    readonly_fields = [
        "staff_actions",
        "person",
        "contract",
        "program",
        "provider",
        "status",
        "channel",
        "signer_kind",
        "signer",
        "declared_by",
        "declared_at",
        "instructed_at",
        "instruction_method",
        "contract_version",
        "holiday_lands",
        "revocation_deadline",
        "start_date",
        "binding_end",
        "term_end",
        "cancel_by",
        "end_date",
        "end_reason",
        "doctor_confirmed_at",
        "revoked_at",
        "cancelled_at",
        "rejected_at",
        "consents_text",
        "declaration_text",
        "consent_text",
        "revocation_instruction",
        "idempotency_key",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["staff_actions", "person", "contract", "program", "provider", "status"]}),
        (
            _("Erklärung"),
            {
                "fields": [
                    "channel",
                    "signer_kind",
                    "signer",
                    "declared_by",
                    "declared_at",
                    "instructed_at",
                    "instruction_method",
                    "contract_version",
                    "consents_text",
                    "idempotency_key",
                    "created_at",
                ]
            },
        ),
        (
            _("Fristen und Termine"),
            {
                "fields": [
                    "holiday_lands",
                    "revocation_deadline",
                    "start_date",
                    "binding_end",
                    "term_end",
                    "cancel_by",
                    "end_date",
                    "end_reason",
                ]
            },
        ),
        (_("Zeitpunkte"), {"fields": ["doctor_confirmed_at", "revoked_at", "cancelled_at", "rejected_at"]}),
        (
            _("Gezeigte Texte"),
            {"classes": ["collapse"], "fields": ["declaration_text", "consent_text", "revocation_instruction"]},
        ),
    ]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("erteilte Einwilligungen"))
    def consents_text(self, obj):
        return consents_text(obj.consents)

    def _may_act(self, request) -> bool:
        """Staff actions need the change permission (the record itself stays read-only)."""
        return request.user.has_perm("enrollment.change_participation")

    @admin.display(description=_("Aktionen"))
    def staff_actions(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        links = []
        for name, label, allowed in (
            ("confirm_doctor", gettext("Ärztliche Bestätigung erfassen"), obj.can_confirm_doctor()),
            ("instruction", gettext("Belehrung nachtragen"), obj.can_record_instruction()),
            ("reject", gettext("Ablehnen"), obj.can_reject()),
            ("end", gettext("Beenden"), obj.can_end_early()),
        ):
            if allowed:
                links.append((reverse(f"admin:enrollment_participation_{name}", args=[obj.pk]), label))
        if not links:
            return gettext("Keine Aktion in diesem Status.")
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/bestaetigung/", wrap(self.confirm_doctor_view), name="enrollment_participation_confirm_doctor"
            ),
            path("<int:pk>/belehrung/", wrap(self.instruction_view), name="enrollment_participation_instruction"),
            path("<int:pk>/ablehnen/", wrap(self.reject_view), name="enrollment_participation_reject"),
            path("<int:pk>/beenden/", wrap(self.end_view), name="enrollment_participation_end"),
            *super().get_urls(),
        ]

    # --- object actions ---------------------------------------------------------------------

    def _object_or_404(self, request, pk: int) -> Participation:
        if not self._may_act(request):
            raise Http404
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _action_page(self, request, obj, form, title: str, run):
        if request.method == "POST" and form.is_valid():
            try:
                run(form.cleaned_data)
            except EnrollmentError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, gettext("Gespeichert: %(title)s.") % {"title": title})
                return HttpResponseRedirect(reverse("admin:enrollment_participation_change", args=[obj.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "form": form,
            "title": title,
            "participation": obj,
        }
        return TemplateResponse(request, "admin/enrollment/participation_action.html", context)

    def confirm_doctor_view(self, request, pk: int):
        obj = self._object_or_404(request, pk)
        form = ConfirmDoctorForm(_posted(request), initial={"confirmed_on": timezone.localdate()})

        def run(data):
            now = timezone.now()
            services.participation_confirm_doctor(
                participation=obj, actor=request.user, confirmed_at=_moment(data["confirmed_on"], now), now=now
            )

        return self._action_page(request, obj, form, gettext("Ärztliche Bestätigung erfassen"), run)

    def instruction_view(self, request, pk: int):
        obj = self._object_or_404(request, pk)
        form = InstructionForm(
            _posted(request), initial={"instructed_on": timezone.localdate(), "method": InstructionMethod.LETTER}
        )

        def run(data):
            now = timezone.now()
            services.participation_record_instruction(
                participation=obj,
                actor=request.user,
                instructed_at=_moment(data["instructed_on"], now),
                method=data["method"],
                now=now,
            )

        return self._action_page(request, obj, form, gettext("Belehrung nachtragen"), run)

    def reject_view(self, request, pk: int):
        obj = self._object_or_404(request, pk)
        form = RejectForm(_posted(request))

        def run(data):
            services.participation_reject(
                participation=obj, actor=request.user, reason_text=data["reason_text"], now=timezone.now()
            )

        return self._action_page(request, obj, form, gettext("Teilnahme ablehnen"), run)

    def end_view(self, request, pk: int):
        obj = self._object_or_404(request, pk)
        form = EndForm(_posted(request), initial={"end_date": timezone.localdate()})

        def run(data):
            from enrollment.models import Channel

            services.participation_end(
                participation=obj,
                actor=request.user,
                now=timezone.now(),
                end_date=data["end_date"],
                text=data["text"],
                channel=Channel.STAFF,
            )

        return self._action_page(request, obj, form, gettext("Teilnahme beenden"), run)

    # --- paper declaration (the "add" page) -------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        persons = scope_to_fund(InsuredPerson.objects.all(), request.user, "fund")
        contracts = scope_to_fund(Contract.objects.select_related("program", "fund"), request.user, "fund")
        initial = {
            "idempotency_key": uuid.uuid4(),
            "declared_on": timezone.localdate(),
            "instructed_on": timezone.localdate(),
        }
        form = PaperDeclarationForm(_posted(request), persons=persons, contracts=contracts, initial=initial)
        for name, field_name in (("person", "person"), ("signer", "signer"), ("provider", "provider")):
            rel = Participation._meta.get_field(field_name).remote_field
            form.fields[name].widget = ForeignKeyRawIdWidget(rel, self.admin_site)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            now = timezone.now()
            try:
                participation = services.participation_declare(
                    person=data["person"],
                    contract=data["contract"],
                    provider=data["provider"],
                    actor=request.user,
                    consents={
                        "declaration": True,
                        "data_transfer": data["data_transfer"],
                        "revocation_instruction": data["instructed_on"] is not None,
                    },
                    idempotency_key=data["idempotency_key"],
                    now=now,
                    channel=data["channel"],
                    declared_at=_moment(data["declared_on"], now),
                    instructed_at=_moment(data["instructed_on"], now) if data["instructed_on"] else None,
                    instruction_method=data["instruction_method"],
                    signer=data["signer"],
                )
            except EnrollmentError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    gettext("Papiererklärung erfasst. Widerruf bis %(rev)s, Beginn %(start)s, gebunden bis %(bind)s.")
                    % {
                        "rev": dates.short_date(participation.revocation_deadline) or "–",
                        "start": dates.short_date(participation.start_date) or "–",
                        "bind": dates.short_date(participation.binding_end) or "–",
                    },
                )
                return HttpResponseRedirect(reverse("admin:enrollment_participation_change", args=[participation.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": gettext("Papiererklärung erfassen"),
            "participation": None,
        }
        return TemplateResponse(request, "admin/enrollment/participation_action.html", context)


class _RequestAdmin(FundScopedAdmin):
    fund_path = "participation__contract__fund"
    list_select_related = ["participation__person", "participation__program"]
    list_filter = ["decision", "reason"]
    search_fields = ["participation__person__kvnr", "participation__person__last_name"]
    date_hierarchy = "requested_at"
    decide_service = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["decide_link", *[f.name for f in self.model._meta.fields if f.name != "id"]]

    @admin.display(description=_("Entscheidung treffen"))
    def decide_link(self, obj):
        if obj is None or not obj.can_decide():
            return "–"
        info = self.model._meta.app_label, self.model._meta.model_name
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:{}_{}_decide".format(*info), args=[obj.pk]), gettext("Entscheiden")
        )

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<int:pk>/entscheiden/", self.admin_site.admin_view(self.decide_view), name="{}_{}_decide".format(*info)
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk: int):
        opts = self.model._meta
        if not request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
            raise Http404
        obj = get_object_or_404(self.get_queryset(request).filter(decision=RequestDecision.PENDING), pk=pk)
        form = DecisionForm(_posted(request))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                self.decide(obj, request.user, data)
            except EnrollmentError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, gettext("Entscheidung gespeichert."))
                info = self.model._meta.app_label, self.model._meta.model_name
                return HttpResponseRedirect(reverse("admin:{}_{}_changelist".format(*info)))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "form": form,
            "title": gettext("Entscheiden: %(obj)s") % {"obj": obj},
            "participation": obj.participation,
            "request_obj": obj,
        }
        return TemplateResponse(request, "admin/enrollment/participation_action.html", context)


@admin.register(DoctorChangeRequest)
class DoctorChangeRequestAdmin(_RequestAdmin):
    list_display = [
        "pk",
        "participation",
        "old_provider",
        "new_provider",
        "reason",
        "requested_at",
        "decision",
        "effective_date",
        "applied_at",
    ]
    list_select_related = [*_RequestAdmin.list_select_related, "old_provider", "new_provider"]

    def decide(self, obj, user, data):
        services.doctor_change_decide(
            request=obj,
            actor=user,
            approve=data["decision"] == "approve",
            now=timezone.now(),
            note=data["note"],
            effective_date=data["effective_date"],
        )


@admin.register(CancellationRequest)
class CancellationRequestAdmin(_RequestAdmin):
    list_display = ["pk", "participation", "reason", "requested_at", "decision", "effective_date"]

    def decide(self, obj, user, data):
        services.cancellation_request_decide(
            request=obj,
            actor=user,
            approve=data["decision"] == "approve",
            now=timezone.now(),
            note=data["note"],
            effective_date=data["effective_date"],
        )


from enrollment.accounts import admin_lockout  # noqa: E402,F401 - registers "Anmeldesperren"
