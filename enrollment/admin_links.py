"""Admin pieces for the two explicit decisions of `enrollment.services.links`: linking a portal
account to an insured person (object actions on the person) and recording a legal
representation (the representation admin, whose add/change/delete call the services).

The account field of a person is never an editable form field: a clerk types the user name the
insured person gave; no list of accounts is offered, and the answer for an unknown name and a
refused one is the same.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enrollment.models import LegalRepresentation
from enrollment.services.links import (
    LINK_PERMISSION,
    REPRESENTATION_PERMISSION,
    LinkRefused,
    check_representation,
    insured_account_link,
    insured_account_unlink,
    representation_change,
    representation_record,
    representation_remove,
)
from programs.admin_scoping import TenantAdmin, TenantInline


class LinkAccountForm(forms.Form):
    username = forms.CharField(label=_("Benutzername des Kontos"), max_length=150)
    reason = forms.CharField(label=_("Anlass (z. B. Anruf vom …)"), widget=forms.Textarea(attrs={"rows": 2}))


class UnlinkAccountForm(forms.Form):
    reason = forms.CharField(label=_("Begründung"), widget=forms.Textarea(attrs={"rows": 2}))


class AccountLinkAdminMixin:
    """For the InsuredPerson admin: the account is read-only; link and unlink are object actions."""

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "account", "link_history"]

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), "user"]

    @admin.display(description=_("Konto"))
    def account(self, obj):
        if obj is None or obj.pk is None:
            return gettext("– (verknüpfen nach dem Speichern)")
        label = gettext("verknüpft") if obj.user_id else gettext("kein Konto")
        name = "unlink_account" if obj.user_id else "link_account"
        action = gettext("Verknüpfung aufheben") if obj.user_id else gettext("Konto verknüpfen")
        url = reverse(f"admin:enrollment_insuredperson_{name}", args=[obj.pk])
        return format_html('{} · <a href="{}">{}</a>', label, url, action)

    @admin.display(description=_("Verknüpfungen und Vertretungen (Verlauf)"))
    def link_history(self, obj):
        return link_events_html(obj) if obj is not None and obj.pk else "–"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/konto/", wrap(self.link_account_view), name="enrollment_insuredperson_link_account"),
            path(
                "<int:pk>/konto/aufheben/",
                wrap(self.unlink_account_view),
                name="enrollment_insuredperson_unlink_account",
            ),
            *super().get_urls(),
        ]

    def _person_or_404(self, request, pk):
        if not request.user.has_perm(LINK_PERMISSION):
            raise Http404
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _page(self, request, obj, form, title, submit_label, explanation=""):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "form": form,
            "title": title,
            "submit_label": submit_label,
            "explanation": explanation,
        }
        return TemplateResponse(request, "admin/enrollment/person_action.html", context)

    def _done(self, request, obj, message):
        self.message_user(request, message)
        return HttpResponseRedirect(reverse("admin:enrollment_insuredperson_change", args=[obj.pk]))

    def link_account_view(self, request, pk: int):
        person = self._person_or_404(request, pk)
        form = LinkAccountForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
            try:
                if user is None:
                    raise LinkRefused(gettext("Dieses Konto kann nicht verknüpft werden."))
                insured_account_link(
                    person=person, user=user, actor=request.user, now=timezone.now(), reason=form.cleaned_data["reason"]
                )
            except LinkRefused as error:
                form.add_error(None, str(error))
            else:
                return self._done(request, person, gettext("Das Konto ist verknüpft."))
        return self._page(
            request,
            person,
            form,
            gettext("Konto verknüpfen"),
            gettext("Verknüpfen"),
            gettext(
                "Das Konto sieht danach alle Daten dieser Person. Verknüpfen Sie nur das Konto, das die Person "
                "selbst angelegt hat, und nie ein Konto der Verwaltung."
            ),
        )

    def unlink_account_view(self, request, pk: int):
        person = self._person_or_404(request, pk)
        form = UnlinkAccountForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                insured_account_unlink(
                    person=person, actor=request.user, now=timezone.now(), reason=form.cleaned_data["reason"]
                )
            except LinkRefused as error:
                form.add_error(None, str(error))
            else:
                return self._done(request, person, gettext("Die Verknüpfung ist aufgehoben."))
        return self._page(request, person, form, gettext("Verknüpfung aufheben"), gettext("Aufheben"))


class RepresentationInline(TenantInline, admin.TabularInline):
    """Shown on the represented person; recorded and changed on the representation's own page."""

    model = LegalRepresentation
    fund_path = "represented__fund"
    fk_name = "represented"
    extra = 0
    fields = ["representative", "kind", "valid_from", "valid_until"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RepresentationForm(forms.ModelForm):
    actor = None  # set by the admin

    class Meta:
        model = LegalRepresentation
        fields = ["representative", "represented", "kind", "valid_from", "valid_until"]

    def clean(self):
        data = super().clean()
        instance = self.instance
        representative = data.get("representative") or (instance.representative if instance.representative_id else None)
        represented = data.get("represented") or (instance.represented if instance.represented_id else None)
        if representative and represented and self.actor is not None:
            try:
                check_representation(
                    self.actor, representative, represented, data.get("valid_from"), data.get("valid_until")
                )
            except LinkRefused as error:
                raise forms.ValidationError(str(error)) from error
        return data


class LegalRepresentationAdminBase(TenantAdmin):
    """Add, change and delete call `representation_record/_change/_remove`; all three need the
    permission `enrollment.record_representation`, and both persons must be of the clerk's fund."""

    fund_path = "represented__fund"
    form = RepresentationForm

    def _may_record(self, request, obj=None) -> bool:
        return request.user.has_perm(REPRESENTATION_PERMISSION) and self._reachable(request, obj)

    def has_add_permission(self, request):
        return self._may_record(request)

    def has_change_permission(self, request, obj=None):
        return self._may_record(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_record(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return ["representative", "represented"] if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change):
        data, now = form.cleaned_data, timezone.now()
        try:
            if change:
                representation_change(
                    representation=obj,
                    kind=data["kind"],
                    valid_from=data.get("valid_from"),
                    valid_until=data.get("valid_until"),
                    actor=request.user,
                    now=now,
                )
            else:
                created = representation_record(
                    representative=data["representative"],
                    represented=data["represented"],
                    kind=data["kind"],
                    valid_from=data.get("valid_from"),
                    valid_until=data.get("valid_until"),
                    actor=request.user,
                    now=now,
                )
                obj.pk = created.pk
        except LinkRefused as error:  # changed between the form check and the lock
            raise PermissionDenied(str(error)) from error

    def delete_model(self, request, obj):
        representation_remove(representation=obj, actor=request.user, now=timezone.now())

    def delete_queryset(self, request, queryset):
        now = timezone.now()
        for representation in queryset:
            representation_remove(representation=representation, actor=request.user, now=now)


def link_events_html(person) -> str:
    rows = person.link_events.select_related("actor").order_by("-at")[:50]
    if not rows:
        return "–"
    return format_html_join(
        "", "<div>{}: {} ({})</div>", ((f"{e.at:%d.%m.%Y %H:%M}", e.get_kind_display(), e.actor or "–") for e in rows)
    )
