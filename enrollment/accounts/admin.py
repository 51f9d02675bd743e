"""Activation letters in the admin: the action "Aktivierungsbrief erstellen" on insured persons,
the letters and codes on a person's page (download, revoke), and batches for a Kreis.

Everything runs on querysets that `TenantAdmin.get_queryset` has limited to the clerk's fund:
ids of other funds' persons, letters or batches posted by hand are not found (404). The code is
never shown on a page: it exists only in the letter's PDF, which is served with `no-store`.
Issuing, downloading and revoking need the permission to change insured persons.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.accounts import letters
from enrollment.accounts.services import CodeNotRevocable, PersonAlreadyRegistered, activation_code_revoke
from enrollment.models import ActivationCode, ActivationLetter, ActivationLetterBatch
from programs import dates
from programs.admin import FundScopedAdmin
from programs.models import Fund, Kreis
from programs.scoping import funds_for_user

CHANGE_PERSON = "enrollment.change_insuredperson"


def _base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def pdf_response(data: bytes, filename: str, *, record_type: str, persons: dict[int, str]) -> FileResponse:
    """A stored letter as a download that no cache keeps (it carries a code). `persons` (person
    id → record id) tells the access log whose data left the admin (`accessed_persons`)."""
    import io

    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type="application/pdf")
    add_never_cache_headers(response)
    response.accessed_persons = (record_type, persons)
    return response


def _letter_pdf(letter: ActivationLetter) -> FileResponse:
    return pdf_response(
        letters.read_verified(letter),
        letter.filename,
        record_type="enrollment.activationletter",
        persons={letter.code.person_id: str(letter.pk)},
    )


@admin.action(description=gettext_lazy("Aktivierungsbrief erstellen"), permissions=["change"])
def issue_activation_letters(modeladmin, request, queryset):
    """One person: the letter as a download. Several: a batch for the worker, then its progress page."""
    now = timezone.now()
    persons = list(queryset.select_related("fund").filter(user__isnull=True)[:10_001])
    if not persons:
        modeladmin.message_user(
            request, _("Kein Brief erstellt: Alle ausgewählten Personen haben bereits ein Konto."), messages.WARNING
        )
        return None
    if len(persons) == 1:
        try:
            letter = letters.activation_letter_issue(
                person=persons[0], issued_by=request.user, now=now, base_url=_base_url(request)
            )
        except PersonAlreadyRegistered as exc:
            modeladmin.message_user(request, str(exc), messages.WARNING)
            return None
        return _letter_pdf(letter)
    if len({p.fund_id for p in persons}) > 1:
        modeladmin.message_user(request, _("Eine Serie enthält nur Versicherte einer Krankenkasse."), messages.ERROR)
        return None
    if len(persons) > 10_000:
        modeladmin.message_user(
            request, _("Bitte wählen Sie höchstens 10.000 Personen oder eine Serie für einen Kreis."), messages.ERROR
        )
        return None
    batch = letters.activation_letter_batch_create(
        fund=persons[0].fund, persons=persons, created_by=request.user, now=now, base_url=_base_url(request)
    )
    modeladmin.message_user(request, _("Die Briefe werden im Hintergrund erstellt."), messages.SUCCESS)
    return HttpResponseRedirect(reverse("admin:enrollment_activationletterbatch_change", args=[batch.pk]))


@admin.action(description=gettext_lazy("Offene Aktivierungscodes widerrufen"), permissions=["change"])
def revoke_activation_codes(modeladmin, request, queryset):
    now = timezone.now()
    revoked = 0
    open_codes = ActivationCode.objects.filter(
        person__in=queryset, used_at__isnull=True, superseded_at__isnull=True, revoked_at__isnull=True
    )
    for code in open_codes:
        try:
            activation_code_revoke(code=code, by=request.user, now=now)
            revoked += 1
        except CodeNotRevocable:
            continue
    modeladmin.message_user(request, _("Widerrufene Codes: %(n)d") % {"n": revoked}, messages.SUCCESS)


class ActivationLetterAdminMixin:
    """For the InsuredPerson admin: the person's codes and letters, with download and revoke."""

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "activation_letters"]

    @admin.display(description=gettext_lazy("Aktivierungsbriefe"))
    def activation_letters(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        now = timezone.now()
        rows = []
        codes = ActivationCode.objects.filter(person=obj).select_related("letter__batch").order_by("-created_at")
        for code in codes:
            letter = getattr(code, "letter", None)
            if letter is not None and letter.batch_id is None:
                url = reverse("admin:enrollment_insuredperson_letter_pdf", args=[obj.pk, letter.pk])
                where = format_html('<a href="{}">{}</a>', url, _("Brief herunterladen"))
            elif letter is not None:
                url = reverse("admin:enrollment_activationletterbatch_change", args=[letter.batch_id])
                where = format_html('<a href="{}">{}</a>', url, _("in einer Serie"))
            else:
                where = _("ohne Brief")
            revoke = ""
            if code.can_revoke(now=now):
                url = reverse("admin:enrollment_insuredperson_code_revoke", args=[obj.pk, code.pk])
                revoke = format_html(' · <a href="{}">{}</a>', url, _("widerrufen"))
            rows.append(
                (
                    dates.moment(code.created_at),
                    ActivationCode.State(code.state_on(now)).label,
                    dates.short_date(timezone.localtime(code.expires_at).date()),
                    where,
                    revoke,
                )
            )
        issue = format_html(
            '<p><a href="{}">{}</a></p>',
            reverse("admin:enrollment_insuredperson_letter_issue", args=[obj.pk]),
            _("Aktivierungsbrief erstellen"),
        )
        if not rows:
            return format_html("{}<p>{}</p>", issue if obj.user_id is None else "", _("Noch kein Aktivierungscode."))
        items = format_html_join(
            "", "<li>{} – {} ({} {}) · {}{}</li>", ((r[0], r[1], _("gültig bis"), r[2], r[3], r[4]) for r in rows)
        )
        return format_html("{}<ul>{}</ul>", issue if obj.user_id is None else "", items)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/aktivierungsbrief/",
                wrap(self.letter_issue_view),
                name="enrollment_insuredperson_letter_issue",
            ),
            path(
                "<int:pk>/aktivierungsbrief/<int:letter_id>/pdf/",
                wrap(self.letter_pdf_view),
                name="enrollment_insuredperson_letter_pdf",
            ),
            path(
                "<int:pk>/aktivierungscode/<int:code_id>/widerrufen/",
                wrap(self.code_revoke_view),
                name="enrollment_insuredperson_code_revoke",
            ),
            *super().get_urls(),
        ]

    def _letter_person_or_404(self, request, pk):
        if not request.user.has_perm(CHANGE_PERSON):
            raise Http404
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _confirm_page(self, request, obj, title, submit_label, explanation):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "form": forms.Form(),
            "title": title,
            "submit_label": submit_label,
            "explanation": explanation,
        }
        return TemplateResponse(request, "admin/enrollment/person_action.html", context)

    def _to_person(self, obj):
        return HttpResponseRedirect(reverse("admin:enrollment_insuredperson_change", args=[obj.pk]))

    def letter_issue_view(self, request, pk: int):
        obj = self._letter_person_or_404(request, pk)
        if request.method != "POST":
            return self._confirm_page(
                request,
                obj,
                _("Aktivierungsbrief erstellen"),
                _("Brief erstellen und herunterladen"),
                _(
                    "Der Brief enthält einen neuen Aktivierungscode; ein älterer, noch offener Code der Person "
                    "wird damit ersetzt. Der Code steht nur im Brief."
                ),
            )
        try:
            letter = letters.activation_letter_issue(
                person=obj, issued_by=request.user, now=timezone.now(), base_url=_base_url(request)
            )
        except PersonAlreadyRegistered as exc:
            self.message_user(request, str(exc), messages.WARNING)
            return self._to_person(obj)
        return _letter_pdf(letter)

    def letter_pdf_view(self, request, pk: int, letter_id: int):
        obj = self._letter_person_or_404(request, pk)
        letter = get_object_or_404(ActivationLetter, pk=letter_id, code__person=obj, batch__isnull=True)
        return _letter_pdf(letter)

    def code_revoke_view(self, request, pk: int, code_id: int):
        obj = self._letter_person_or_404(request, pk)
        code = get_object_or_404(ActivationCode, pk=code_id, person=obj)
        if request.method != "POST":
            return self._confirm_page(
                request,
                obj,
                _("Aktivierungscode widerrufen"),
                _("Widerrufen"),
                _("Mit dem widerrufenen Code kann sich niemand mehr registrieren. Der Eintrag bleibt erhalten."),
            )
        try:
            activation_code_revoke(code=code, by=request.user, now=timezone.now())
        except CodeNotRevocable as exc:
            self.message_user(request, str(exc), messages.WARNING)
        else:
            self.message_user(request, _("Der Aktivierungscode wurde widerrufen."), messages.SUCCESS)
        return self._to_person(obj)


# --------------------------------------------------------------------------- batches


class KreisBatchForm(forms.Form):
    fund = forms.ModelChoiceField(queryset=Fund.objects.none(), label=gettext_lazy("Krankenkasse"))
    kreis = forms.CharField(
        label=gettext_lazy("Kreisschlüssel"),
        max_length=5,
        help_text=gettext_lazy(
            "Fünf Ziffern, z. B. 08111 für Stuttgart. Briefe gehen an alle Versicherten Ihrer Krankenkasse in diesem Kreis, die noch kein Konto haben."
        ),
    )

    def __init__(self, *args, funds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds
        if funds.count() == 1:
            self.fields["fund"].initial = funds.first()
            self.fields["fund"].widget = forms.HiddenInput()

    def clean_kreis(self):
        key = self.cleaned_data["kreis"].strip()
        kreis = Kreis.objects.filter(pk=key).first()
        if kreis is None:
            raise forms.ValidationError(_("Diesen Kreisschlüssel gibt es nicht."))
        return kreis

    def clean(self):
        data = super().clean()
        if (
            data.get("fund")
            and data.get("kreis")
            and not letters.kreis_selection(fund=data["fund"], kreis=data["kreis"]).exists()
        ):
            raise forms.ValidationError(_("In diesem Kreis gibt es keine Versicherten Ihrer Krankenkasse ohne Konto."))
        return data


@admin.register(ActivationLetterBatch)
class ActivationLetterBatchAdmin(FundScopedAdmin):
    """Batches are created by the form (a Kreis) or the action on persons; the worker fills them.
    Nothing is edited or deleted: the PDF is the record of the codes it carried."""

    list_display = ["selection", "status", "progress_display", "pages", "created_by", "created_at"]
    list_filter = ["status"]
    list_select_related = ["fund", "created_by"]
    change_form_template = "admin/enrollment/activationletterbatch/change_form.html"
    fields = [
        "fund",
        "selection",
        "status",
        "progress_display",
        "download",
        "total",
        "done",
        "pages",
        "size",
        "sha256",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "error",
    ]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("Fortschritt"))
    def progress_display(self, obj):
        return format_html(
            '<progress max="100" value="{}">{} %</progress> {} % ({} / {})',
            obj.percent,
            obj.percent,
            obj.percent,
            obj.done,
            obj.total,
        )

    @admin.display(description=gettext_lazy("PDF"))
    def download(self, obj):
        if obj.pk is None or obj.status != ActivationLetterBatch.Status.DONE:
            return "–"
        url = reverse("admin:enrollment_activationletterbatch_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Alle Briefe als PDF herunterladen"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/pdf/", wrap(self.pdf_view), name="enrollment_activationletterbatch_pdf"),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise Http404
        batch = get_object_or_404(self.get_queryset(request), pk=pk, status=ActivationLetterBatch.Status.DONE)
        person_ids = ActivationLetter.objects.filter(batch=batch).values_list("code__person_id", flat=True)
        return pdf_response(
            letters.read_verified(batch),
            batch.filename,
            record_type="enrollment.activationletterbatch",
            persons=dict.fromkeys(person_ids, str(batch.pk)),
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        funds = funds_for_user(request.user)
        form = KreisBatchForm(request.POST or None, funds=funds)
        if request.method == "POST" and form.is_valid():
            batch = letters.activation_letter_batch_create(
                fund=form.cleaned_data["fund"],
                kreis=form.cleaned_data["kreis"],
                created_by=request.user,
                now=timezone.now(),
                base_url=_base_url(request),
            )
            self.message_user(request, _("Die Briefe werden im Hintergrund erstellt."), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:enrollment_activationletterbatch_change", args=[batch.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": None,
            "form": form,
            "title": _("Aktivierungsbriefe für einen Kreis"),
            "submit_label": _("Briefe erstellen"),
            "explanation": _(
                "Jede Person erhält einen neuen Code; ältere, noch offene Codes werden ersetzt. "
                "Die Briefe entstehen im Hintergrund als ein PDF, eine Seite je Brief."
            ),
        }
        return TemplateResponse(request, "admin/enrollment/letter_batch_add.html", context)
