"""Who may make a declaration (Teilnahmeerklärung) for whom — § 36 SGB I.

Pure rule, one place: from `self_declaration_age` (default 15, per contract) a young person may
declare alone and the legal representative is informed; below it only the representative
declares. Parents represent only until 18; a guardian/Betreuer (`kind=guardian`) also for adults.
Every "no" carries its reason so the page can say why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

from enrollment.models import InsuredPerson, LegalRepresentation
from enrollment.selectors import _valid_on

ADULT_AGE = 18
DEFAULT_SELF_DECLARATION_AGE = 15


class Signer:
    SELF = "self"
    REPRESENTATIVE = "representative"


@dataclass(frozen=True)
class Decision:
    """`allowed`: the user may declare for the person on that day; `signer`: as whom
    ("self" / "representative"); `inform_representatives`: the representatives must be told
    (a minor of at least `self_declaration_age` declared alone); `reason`: why, for the page."""

    allowed: bool
    signer: str | None
    reason: str
    inform_representatives: bool = False
    representatives: tuple[InsuredPerson, ...] = field(default_factory=tuple)
    representation_kind: str | None = None  # LegalRepresentation.Kind when signer is the representative

    def __bool__(self) -> bool:
        return self.allowed


def representatives_of(person: InsuredPerson, *, on_date: date) -> list[InsuredPerson]:
    """The representatives of `person` whose representation is valid on `on_date`."""
    reps = LegalRepresentation.objects.filter(_valid_on(on_date), represented=person).select_related("representative")
    return [r.representative for r in reps]


def can_declare_for(
    user, person: InsuredPerson, *, on_date: date, self_declaration_age: int = DEFAULT_SELF_DECLARATION_AGE
) -> Decision:
    """Decide whether `user` may declare for `person` on `on_date` (age counted on that day;
    a birthday counts from its first moment, so the 15th birthday itself is already 15)."""
    if not getattr(user, "is_authenticated", False):
        return Decision(False, None, str(_("Bitte melden Sie sich an.")))
    age = person.age_on(on_date)
    minor = age < ADULT_AGE

    if person.user_id is not None and person.user_id == user.pk:
        if age < self_declaration_age:
            return Decision(
                False,
                None,
                str(
                    _(
                        "Unter %(age)s Jahren gibt die gesetzliche Vertretung die Erklärung ab "
                        "(§ 36 SGB I). Bitte wenden Sie sich an Ihre Eltern oder Ihren Vormund."
                    )
                    % {"age": self_declaration_age}
                ),
            )
        if minor:
            reps = tuple(representatives_of(person, on_date=on_date))
            return Decision(
                True,
                Signer.SELF,
                str(
                    _(
                        "Ab %(age)s Jahren können Sie die Erklärung selbst abgeben; "
                        "Ihre gesetzliche Vertretung wird darüber informiert."
                    )
                    % {"age": self_declaration_age}
                ),
                inform_representatives=True,
                representatives=reps,
            )
        return Decision(True, Signer.SELF, str(_("Sie erklären für sich selbst.")))

    representation = (
        LegalRepresentation.objects.filter(_valid_on(on_date), represented=person, representative__user=user)
        .only("kind")
        .first()
    )
    if representation is None:
        return Decision(False, None, str(_("Sie sind für diese Person nicht vertretungsberechtigt.")))
    if not minor and representation.kind == LegalRepresentation.Kind.PARENT:
        return Decision(
            False,
            None,
            str(_("Die Person ist volljährig; die elterliche Vertretung endet mit dem 18. Geburtstag.")),
        )
    return Decision(
        True,
        Signer.REPRESENTATIVE,
        str(_("Sie erklären als gesetzliche Vertretung.")),
        representation_kind=representation.kind,
    )


@dataclass(frozen=True)
class Voice:
    """How texts name the represented person when a representative declares: a parent speaks
    of "mein Kind Mia", a guardian of "Mia" (the role is said next to it)."""

    kind: str
    name: str

    @property
    def for_you(self) -> str:
        """Second person, accusative: "für Ihr Kind Mia"."""
        if self.kind == LegalRepresentation.Kind.PARENT:
            return str(_("für Ihr Kind %(name)s") % {"name": self.name})
        return str(_("für %(name)s, deren oder dessen Vormund oder Betreuung Sie sind") % {"name": self.name})

    @property
    def for_me(self) -> str:
        """First person, accusative: "für mein Kind Mia"."""
        if self.kind == LegalRepresentation.Kind.PARENT:
            return str(_("für mein Kind %(name)s") % {"name": self.name})
        return str(_("für %(name)s") % {"name": self.name})

    @property
    def whose(self) -> str:
        """First person, genitive: "meines Kindes Mia"."""
        if self.kind == LegalRepresentation.Kind.PARENT:
            return str(_("meines Kindes %(name)s") % {"name": self.name})
        return str(_("von %(name)s") % {"name": self.name})


def voice_for(person: InsuredPerson, *, kind: str | None) -> Voice | None:
    """The voice of a representative's texts for `person`; None when the person declares."""
    return Voice(kind=kind, name=person.first_name) if kind else None


def representation_kind(*, representative: InsuredPerson | None, represented: InsuredPerson) -> str | None:
    """The kind of the representation between the two (any period; for documents)."""
    if representative is None:
        return None
    return (
        LegalRepresentation.objects.filter(representative=representative, represented=represented)
        .values_list("kind", flat=True)
        .first()
    )
