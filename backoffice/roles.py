"""The staff roles of the back office: Django groups with a fixed set of permissions.

`ensure_roles()` creates or corrects the groups (idempotent; `manage.py ensure_roles`,
also called by `seed_demo`). Permissions say *what* a role may do; *whose* data it sees is
decided by fund scoping (`programs.scoping`, `StaffMembership`), never by the group.
See docs/roles.md for the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

VIEW = ("view",)
EDIT = ("view", "add", "change")
ALL = ("view", "add", "change", "delete")

#: Reference data every back-office role may read (imported, never edited in the admin).
REFERENCE = {
    "programs.land": VIEW,
    "programs.regierungsbezirk": VIEW,
    "programs.kreis": VIEW,
    "programs.gemeinde": VIEW,
    "programs.postalcode": VIEW,
}
#: The catalogue as context for the work of a role (read only).
CATALOGUE_READ = {
    "programs.fund": VIEW,
    "programs.fundregion": VIEW,
    "programs.program": VIEW,
    "programs.contract": VIEW,
    "providers.provider": VIEW,
    "providers.contractparticipation": VIEW,
}


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    #: "app_label.model" → actions (view/add/change/delete)
    models: dict[str, tuple[str, ...]]
    #: "app_label.codename" of permissions that exist only when an optional app is installed
    optional: tuple[str, ...] = field(default=())
    #: "app_label.codename" of explicit decisions with their own permission (not view/add/change)
    decisions: tuple[str, ...] = field(default=())


CONTRACT_MANAGEMENT = Role(
    "Vertragsmanagement",
    "Programme, Verträge (Teilnahmeregeln und Texte, Zielgruppe und Region) und die Teilnahme "
    "der Leistungserbringer an den Verträgen der eigenen Kasse",
    {
        **REFERENCE,
        **CATALOGUE_READ,
        "programs.program": EDIT,
        "programs.contract": EDIT,
        "providers.contractparticipation": ALL,
    },
)
ENROLLMENT = Role(
    "Kassen-Sachbearbeitung",
    "Einschreibung: Versicherte, gesetzliche Vertretungen, Papiererklärungen, Entscheidungen "
    "über Arztwechsel und Kündigungen aus wichtigem Grund, Aktivierungscodes",
    {
        **REFERENCE,
        **CATALOGUE_READ,
        "enrollment.insuredperson": EDIT,
        "enrollment.legalrepresentation": EDIT,
        # "change" on a participation means: may press the decision buttons (the record stays read-only)
        "enrollment.participation": EDIT,
        "enrollment.participationevent": VIEW,
        "enrollment.doctorchangerequest": ("view", "change"),
        "enrollment.cancellationrequest": ("view", "change"),
        "enrollment.activationcode": ("view", "add"),
        "enrollment.activationletterbatch": ("view", "add"),
        "enrollment.personlinkevent": VIEW,
    },
    # Linking an account to a person and recording a legal representation (enrollment.services.links).
    decisions=("enrollment.link_account", "enrollment.record_representation"),
)
ANALYSIS = Role(
    "Kassen-Analyse",
    "Berichtsdaten importieren und Transparenzberichte erstellen; keine personenbezogenen Daten",
    {
        **REFERENCE,
        **CATALOGUE_READ,
        "reports.reportyear": EDIT,
        "reports.importrun": EDIT,
        "reports.reportfile": EDIT,
        "reports.application": VIEW,
        "reports.legalremedy": VIEW,
        "reports.treatmenterrorcase": VIEW,
        "reports.complaint": VIEW,
    },
)
FUND_ADMINISTRATION = Role(
    "Kassen-Administration",
    "Benutzerkonten und Rollen der Mitarbeitenden der eigenen Kasse, Zugriffsprotokoll",
    {
        "auth.user": EDIT,
        "auth.group": VIEW,
        "programs.fund": VIEW,
        "programs.staffmembership": ALL,
        "backoffice.accesslogentry": VIEW,
    },
    # Lifting login locks of the fund's accounts ("Anmeldesperren", enrollment.accounts.admin_lockout).
    decisions=("enrollment.unlock_login",),
)
OPERATOR = Role(
    "Betrieb",
    "Betrieb der Plattform: Kassen und ihre Regionen, Programmkatalog, Stammdaten der "
    "Leistungserbringer (kassenübergreifend), Importe und Hintergrundaufgaben",
    {
        **REFERENCE,
        **CATALOGUE_READ,
        "programs.fund": ("view", "change"),
        "programs.fundregion": ALL,
        "programs.program": EDIT,
        "providers.provider": EDIT,
        "reports.reportyear": VIEW,
        "reports.importrun": VIEW,
    },
)

ROLES: tuple[Role, ...] = (CONTRACT_MANAGEMENT, ENROLLMENT, ANALYSIS, FUND_ADMINISTRATION, OPERATOR)
ROLE_BY_NAME = {role.name: role for role in ROLES}
#: Roles a fund administrator may hand out (the operator role is the platform's, not a fund's).
FUND_ROLES = (CONTRACT_MANAGEMENT.name, ENROLLMENT.name, ANALYSIS.name, FUND_ADMINISTRATION.name)


def codenames(role: Role) -> set[tuple[str, str]]:
    """(app_label, codename) of every permission of `role` (optional ones included)."""
    wanted = {
        (label.split(".")[0], f"{action}_{label.split('.')[1]}")
        for label, actions in role.models.items()
        for action in actions
    }
    return wanted | {tuple(p.split(".", 1)) for p in role.optional + role.decisions}


def role_permissions(role: Role) -> list[Permission]:
    """The permissions of `role`; raises if a required one is missing (a renamed model)."""
    wanted = codenames(role)
    condition = Q(pk__in=[])
    for app_label, codename in wanted:
        condition |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(condition).select_related("content_type"))
    missing = (
        wanted
        - {(p.content_type.app_label, p.codename) for p in found}
        - {tuple(p.split(".", 1)) for p in role.optional}
    )
    if missing:
        raise LookupError(f"Rolle {role.name}: Berechtigungen fehlen: {sorted(missing)}")
    return found


@dataclass
class RolesResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    groups: dict[str, Group] = field(default_factory=dict)


@transaction.atomic
def ensure_roles() -> RolesResult:
    """Create the role groups and set exactly their permissions (idempotent)."""
    result = RolesResult()
    for role in ROLES:
        perms = role_permissions(role)
        group, created = Group.objects.get_or_create(name=role.name)
        before = set(group.permissions.values_list("pk", flat=True))
        after = {p.pk for p in perms}
        if before != after:
            group.permissions.set(perms)
        if created:
            result.created.append(role.name)
        elif before != after:
            result.updated.append(role.name)
        else:
            result.unchanged.append(role.name)
        result.groups[role.name] = group
    return result
