"""Tenancy of the back office: the one place that decides which rows a staff account reaches.

Every ModelAdmin and inline registered at `/verwaltung/` derives from `TenantAdmin` /
`TenantInline` and declares `fund_path`, the lookup from its model to `programs.Fund`
(`"fund"`, `"contract__fund"`, `"pk"` for Fund itself), or one of two words:

- `SHARED` — data of all funds (reference data, provider master data): every staff account
  with the view permission reads it, only the operator (superuser) adds, changes or deletes it.
- `OPERATOR_ONLY` — accounts, devices, background tasks: only the operator sees them at all.

From that declaration the base class scopes the queryset (list, change, history, delete,
search, filters, date hierarchy, actions, object actions, `_to_field`), every choice of a
related object (foreign keys, many-to-many, raw ids, autocomplete — the target model's own
declaration decides), the choices of related list filters, and it checks after each save
that the saved rows still lie in the clerk's fund. A field-level uniqueness error about a
row outside the clerk's reach becomes a neutral message. `check_admin_tenancy` (a system
check, run by `manage.py check` and the test suite) fails for any registered admin, inline or
related model without a declaration. Superusers (the operator) see every fund.
"""

from __future__ import annotations

import inspect
import logging

from django.contrib import admin
from django.contrib.admin.filters import FieldListFilter, RelatedFieldListFilter
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import ForeignObjectRel, Model, QuerySet
from django.http import HttpResponseBadRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from programs.scoping import user_fund_id

logger = logging.getLogger("versorgungslotse.tenancy")

SHARED = "shared"
OPERATOR_ONLY = "operator-only"
#: A model whose rows belong to a fund through a rule, not a foreign-key path (e.g. login locks,
#: which belong to a fund through the user name). The rule is registered with `scoped_by` and
#: applied here like any path, so it still passes through this one module.
RULE = "rule"
_RULES: dict[str, object] = {}


def scoped_by(label: str):
    """Register `func(queryset, user) -> queryset` as the tenancy rule of model `label`."""

    def register(func):
        _RULES[label.lower()] = func
        return func

    return register


#: Models reached only as related objects (never registered themselves) and their tenancy.
RELATED_ONLY: dict[str, str] = {
    "programs.fundregion": "fund",
    "enrollment.participationevent": "participation__contract__fund",
    "enrollment.activationcode": "person__fund",
    "enrollment.activationletter": "code__person__fund",
    "programs.postalcodegemeinde": SHARED,
    "auth.permission": OPERATOR_ONLY,
    "contenttypes.contenttype": OPERATOR_ONLY,
}

NEUTRAL_UNIQUE_MESSAGE = _(
    "Dieser Wert kann hier nicht erfasst werden. Bitte prüfen Sie die Eingabe; ist sie richtig, "
    "klärt die Betreiberin des Portals den Fall (zum Beispiel bei einem Kassenwechsel)."
)


# --- the declaration and the scope ------------------------------------------------------------


def declaration_for(model: type[Model], site: admin.AdminSite | None = None) -> str | None:
    """The declared `fund_path` (or SHARED / OPERATOR_ONLY) of `model`, None if undeclared."""
    site = site or admin.site
    model_admin = site._registry.get(model)
    if model_admin is not None:
        return getattr(model_admin, "fund_path", None)
    label = model._meta.label_lower
    if label in RELATED_ONLY:
        return RELATED_ONLY[label]
    for registered in site._registry.values():
        for inline in getattr(registered, "inlines", ()):
            if inline.model is model and getattr(inline, "fund_path", None):
                return inline.fund_path
    return None


def _is_multi_valued(model: type[Model], path: str) -> bool:
    for name in path.split("__"):
        if name == "pk":
            return False
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        if field.related_model is None:
            return False
        model = field.related_model
    return False


def scope(qs: QuerySet, user, fund_path: str | None) -> QuerySet:
    """Rows of `qs` that `user` may reach under the declaration `fund_path`."""
    if user.is_superuser:
        return qs
    if fund_path == SHARED:
        return qs
    if fund_path is None or fund_path == OPERATOR_ONLY:
        return qs.none()
    if fund_path == RULE:
        rule = _RULES.get(qs.model._meta.label_lower)
        return rule(qs, user) if rule is not None else qs.none()
    fund_id = user_fund_id(user)
    if fund_id is None:
        return qs.none()
    if _is_multi_valued(qs.model, fund_path):
        # a subquery keeps the queryset free of duplicates without distinct() (delete() refuses that)
        inner = qs.model._default_manager.filter(**{fund_path: fund_id}).values("pk")
        return qs.filter(pk__in=inner)
    return qs.filter(**{fund_path: fund_id})


def scoped_queryset(model: type[Model], user, *, site: admin.AdminSite | None = None) -> QuerySet:
    return scope(model._default_manager.all(), user, declaration_for(model, site))


# --- forms: related choices and neutral uniqueness errors --------------------------------------


class NeutralUniqueFormMixin:
    """A uniqueness error about a row the user cannot reach says nothing about that row."""

    tenancy_user = None
    tenancy_site = None

    def validate_unique(self):
        exclude = self._get_validation_exclusions()
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            self._update_errors(self._neutralise(error))

    def _neutralise(self, error: ValidationError) -> ValidationError:
        if self.tenancy_user is None or self.tenancy_user.is_superuser or not hasattr(error, "error_dict"):
            return error
        model = type(self.instance)
        reachable = scoped_queryset(model, self.tenancy_user, site=self.tenancy_site)
        result: dict[str, list[ValidationError]] = {}
        for name, errors in error.error_dict.items():
            kept = []
            for item in errors:
                if item.code == "unique" and name in {f.name for f in model._meta.concrete_fields}:
                    field = model._meta.get_field(name)
                    value = getattr(self.instance, field.attname)
                    if not reachable.filter(**{field.attname: value}).exists():
                        logger.info(
                            "unique value of another fund refused (model=%s field=%s user=%s)",
                            model._meta.label,
                            name,
                            self.tenancy_user.pk,
                        )
                        item = ValidationError(NEUTRAL_UNIQUE_MESSAGE, code="unique_elsewhere")
                kept.append(item)
            result[name] = kept
        return ValidationError(result)


class TenancyMixin:
    """Shared by `TenantAdmin` and `TenantInline`: queryset, related choices, permissions."""

    #: lookup path from the model to programs.Fund, or SHARED, or OPERATOR_ONLY (required)
    fund_path: str | None = None

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, self.fund_path)

    def _related_choices(self, db_field, request, queryset):
        if queryset is None:
            queryset = db_field.related_model._default_manager.all()
        return scope(queryset, request.user, declaration_for(db_field.related_model, self.admin_site))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)
        kwargs["queryset"] = self._related_choices(db_field, request, queryset)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(None, db_field, request)
        kwargs["queryset"] = self._related_choices(db_field, request, queryset)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # SHARED rows are read by all staff and written by the operator; OPERATOR_ONLY is the operator's.
    def _operator_decides(self) -> bool:
        return self.fund_path in (SHARED, OPERATOR_ONLY)

    def has_add_permission(self, request, *args, **kwargs):
        if self._operator_decides() and not request.user.is_superuser:
            return False
        return super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        if self._operator_decides() and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj) and self._reachable(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._operator_decides() and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj) and self._reachable(request, obj)

    def has_view_permission(self, request, obj=None):
        if self.fund_path == OPERATOR_ONLY and not request.user.is_superuser:
            return False
        return super().has_view_permission(request, obj) and self._reachable(request, obj)

    def _reachable(self, request, obj) -> bool:
        if obj is None or obj.pk is None or request.user.is_superuser or self.fund_path == SHARED:
            return True
        return scope(type(obj)._default_manager.filter(pk=obj.pk), request.user, self.fund_path).exists()


class HostileInputChangeList(ChangeList):
    """Out-of-range date-hierarchy values are a wrong filter (the admin's "?e=1"), not a crash."""

    YEARS = range(1000, 9000)

    def _valid_year(self, year: str) -> bool:
        try:
            return int(year) in self.YEARS
        except ValueError:
            return False

    def get_filters(self, request):
        if self.date_hierarchy:
            year = request.GET.get(f"{self.date_hierarchy}__year")
            if year is not None and not self._valid_year(year):
                raise IncorrectLookupParameters(f"year out of range: {year[:10]!r}")
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


class CappedCountPaginator(Paginator):
    """The change lists' paginator: counts at most `cap` + 1 rows (`COUNT(*)` over a `LIMIT`
    subquery), so a list over a million insured persons never counts them all. Beyond the cap
    the list says "mehr als 10.000" (templates/admin/pagination.html) and pages through the
    first ones; a search or a filter narrows it down."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class TenantAdmin(TenancyMixin, admin.ModelAdmin):
    """Base of every ModelAdmin of the back office; see the module docstring."""

    paginator = CappedCountPaginator

    def get_changelist(self, request, **kwargs):
        return HostileInputChangeList

    def has_module_permission(self, request):
        if self.fund_path == OPERATOR_ONLY and not request.user.is_superuser:
            return False
        return super().has_module_permission(request)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(
            form.__name__,
            (NeutralUniqueFormMixin, form),
            {"tenancy_user": request.user, "tenancy_site": self.admin_site},
        )

    def save_related(self, request, form, formsets, change):
        # Checked after the inlines too: a row may reach its fund only through an inline (a new
        # staff account through its membership). The change view's transaction rolls back.
        super().save_related(request, form, formsets, change)
        self._ensure_in_scope(request, self.fund_path, form.instance)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        path = declaration_for(formset.model, self.admin_site)
        for obj in [*formset.new_objects, *(pair[0] for pair in formset.changed_objects)]:
            self._ensure_in_scope(request, path, obj)

    @staticmethod
    def _ensure_in_scope(request, path, obj) -> None:
        """A save that moves a row out of the clerk's fund is rolled back (the view's transaction)."""
        if request.user.is_superuser or path == SHARED:
            return
        if not scope(type(obj)._default_manager.filter(pk=obj.pk), request.user, path).exists():
            raise PermissionDenied

    # hostile input: NUL bytes cannot be stored or searched; say so instead of failing
    def changelist_view(self, request, extra_context=None):
        if _has_nul(request.GET):
            return HttpResponseBadRequest(_("Ungültige Eingabe."))
        return super().changelist_view(request, extra_context)

    def get_object(self, request, object_id, from_field=None):
        # an empty `?_to_field=` passes Django's allow-list check and then fails in get_field()
        return super().get_object(request, object_id, from_field or None)

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))


class TenantInline(TenancyMixin):
    """Mixin for inlines: `class XInline(TenantInline, admin.TabularInline)` with `fund_path`."""

    def _reachable(self, request, obj) -> bool:
        return True  # `obj` of an inline's permission methods is the parent, scoped by its own admin


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


# --- related list filters: only reachable choices -----------------------------------------------


class ScopedRelatedFieldListFilter(RelatedFieldListFilter):
    """The choices of a related list filter are the related rows the user may reach."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        qs = scope(field.related_model._default_manager.all(), request.user, declaration_for(field.related_model))
        limit = field.get_limit_choices_to()
        if limit:
            qs = qs.complex_filter(limit)
        if ordering:
            qs = qs.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in qs]


FieldListFilter.register(
    lambda f: f.remote_field is not None and not isinstance(f, ForeignObjectRel),
    ScopedRelatedFieldListFilter,
    take_priority=True,
)


# --- operator-only wrapping of admins registered by other packages ----------------------------

#: Models of other packages whose admin only the operator uses (accounts, devices, lockouts, tasks).
OPERATOR_ONLY_MODELS = (
    "auth.user",
    "auth.group",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
    "django_otp_webauthn.webauthncredential",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "django_tasks_database.dbtaskresult",
)


def _is_project_admin(model_admin) -> bool:
    from django.conf import settings

    path = inspect.getfile(type(model_admin))
    return path.startswith(str(settings.BASE_DIR)) and "site-packages" not in path


def wrap_operator_only(site: admin.AdminSite) -> None:
    """Re-register the admins that other packages register for OPERATOR_ONLY_MODELS as
    `TenantAdmin` with OPERATOR_ONLY. An admin of this project is never wrapped: it declares
    its own tenancy (e.g. a fund-scoped user admin), or the registry check fails."""
    for model, model_admin in list(site._registry.items()):
        if model._meta.label_lower not in OPERATOR_ONLY_MODELS or isinstance(model_admin, TenantAdmin):
            continue
        if _is_project_admin(model_admin):
            continue
        inlines = [
            inline
            if issubclass(inline, TenantInline)
            else type(
                inline.__name__, (TenantInline, inline), {"fund_path": OPERATOR_ONLY, "__module__": inline.__module__}
            )
            for inline in getattr(model_admin, "inlines", ())
        ]
        wrapped = type(
            type(model_admin).__name__,
            (TenantAdmin, type(model_admin)),
            {"fund_path": OPERATOR_ONLY, "__module__": type(model_admin).__module__, "inlines": inlines},
        )
        site.unregister(model)
        site.register(model, wrapped)


# --- the registry check --------------------------------------------------------------------------


def _path_errors(model: type[Model], path: str) -> str | None:
    from programs.models import Fund

    if path in (SHARED, OPERATOR_ONLY):
        return None
    if path == RULE:
        return None if model._meta.label_lower in _RULES else "fund_path RULE without a rule registered by scoped_by()"
    if path == "pk":
        return None if model is Fund else "'pk' is only the path of Fund itself"
    current = model
    for name in path.split("__"):
        try:
            field = current._meta.get_field(name)
        except FieldDoesNotExist:
            return f"{current._meta.label} has no field {name!r}"
        if field.related_model is None:
            return f"{name!r} is not a relation"
        current = field.related_model
    return None if current is Fund else f"the path ends at {current._meta.label}, not programs.Fund"


def tenancy_errors(site: admin.AdminSite) -> list[checks.Error]:
    errors = []

    def require(owner: str, cls, model, base, hint_base: str):
        if not issubclass(cls, base):
            errors.append(
                checks.Error(
                    f"{owner} does not derive from {hint_base}.",
                    hint="Every admin of /verwaltung/ inherits the fund scoping: derive from "
                    f"programs.admin_scoping.{hint_base} and set fund_path (or SHARED / OPERATOR_ONLY).",
                    obj=cls,
                    id="tenancy.E001",
                )
            )
            return
        path = getattr(cls, "fund_path", None)
        problem = "no fund_path declared" if not path else _path_errors(model, path)
        if problem:
            errors.append(
                checks.Error(
                    f"{owner}: {problem}.",
                    hint="Set fund_path to the lookup from the model to programs.Fund, or SHARED / OPERATOR_ONLY.",
                    obj=cls,
                    id="tenancy.E002",
                )
            )

    related_models = set()
    for model, model_admin in site._registry.items():
        owner = f"Admin of {model._meta.label}"
        require(owner, type(model_admin), model, TenantAdmin, "TenantAdmin")
        related_models.update(_relations(model))
        for inline in model_admin.inlines:
            require(
                f"Inline {inline.__name__} of {model._meta.label}", inline, inline.model, TenantInline, "TenantInline"
            )
            related_models.update(_relations(inline.model))
    for related in sorted(related_models, key=lambda m: m._meta.label):
        if declaration_for(related, site) is None:
            errors.append(
                checks.Error(
                    f"{related._meta.label} is offered as a related object in the admin but has no tenancy.",
                    hint="Register it with a TenantAdmin or add it to programs.admin_scoping.RELATED_ONLY.",
                    id="tenancy.E003",
                )
            )
    return errors


def _relations(model: type[Model]) -> set[type[Model]]:
    return {
        f.related_model
        for f in model._meta.get_fields()
        if (f.many_to_one or f.many_to_many or f.one_to_one) and f.concrete and f.related_model is not None
    }


@checks.register(checks.Tags.admin)
def check_admin_tenancy(app_configs=None, **kwargs):
    from django.contrib.admin import site

    return tenancy_errors(site)
