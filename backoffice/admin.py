"""Admin of the back office: the access log (fund administrators, own fund only) and the
staff accounts of a fund (fund administrators manage their own fund's staff, nobody else)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backoffice.models import AccessLogEntry
from backoffice.roles import FUND_ROLES
from programs.admin_scoping import RULE, TenantAdmin, TenantInline, scoped_by
from programs.models import StaffMembership
from programs.scoping import funds_for_user, user_fund_id

User = get_user_model()


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(TenantAdmin):
    """Read-only; a fund administrator sees the accesses to their fund's insured persons."""

    fund_path = "fund"

    list_display = ["at", "username", "person", "action", "record_label", "record_id", "path"]
    list_select_related = ["person"]
    list_filter = ["action", "record_type"]
    search_fields = ["username", "person__kvnr", "person__last_name"]
    date_hierarchy = "at"
    show_full_result_count = False
    raw_id_fields = ["user", "person"]

    @admin.display(description=_("Datenart"), ordering="record_type")
    def record_label(self, obj):
        from django.apps import apps

        try:
            return apps.get_model(obj.record_type)._meta.verbose_name
        except (LookupError, ValueError):
            return obj.record_type

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StaffMembershipInline(TenantInline, admin.StackedInline):
    fund_path = "fund"
    model = StaffMembership
    fk_name = "user"
    can_delete = False
    min_num = 0
    max_num = 1
    extra = 1
    verbose_name = _("Kassenzugehörigkeit")

    def get_min_num(self, request, obj=None, **kwargs):
        return 0 if request.user.is_superuser else 1  # a fund's account always belongs to the fund

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "fund":
            kwargs["queryset"] = funds_for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


admin.site.unregister(User)


@scoped_by("auth.User")
def _staff_accounts_of_the_users_fund(qs, user):
    """Accounts belong to a fund through their membership; insured persons' accounts and
    superusers are the operator's."""
    fund_id = user_fund_id(user)
    if fund_id is None:
        return qs.none()
    return qs.filter(is_staff=True, is_superuser=False, membership__fund_id=fund_id)


class UniqueEmailFormMixin:
    """One address, one account (unique index, enrollment migration 0171): said at the field
    instead of a database error. Worded without saying whose account it is."""

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip()
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("Diese E-Mail-Adresse kann nicht verwendet werden. Bitte geben Sie eine andere an.")
            )
        return email


@admin.register(User)
class StaffAccountAdmin(TenantAdmin, UserAdmin):
    """Superusers manage every account. A fund administrator sees only the staff accounts of
    their fund, may give only the fund roles and never superuser status or single permissions."""

    fund_path = RULE

    inlines = [StaffMembershipInline]
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "membership"]
    list_select_related = ["membership__fund"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        hidden = {"is_superuser", "user_permissions", "is_staff"}
        return [(name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]}) for name, opts in fieldsets]

    def _related_choices(self, db_field, request, queryset):
        # Roles are the operator's groups; a fund administrator may hand out the fund roles only.
        if db_field.name == "groups" and not request.user.is_superuser:
            return Group.objects.filter(name__in=FUND_ROLES)
        return super()._related_choices(db_field, request, queryset)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "email" not in form.base_fields:
            return form
        return type(form.__name__, (UniqueEmailFormMixin, form), {})

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.is_staff = True  # a fund administrator creates staff accounts only
            obj.is_superuser = False
        super().save_model(request, obj, form, change)
