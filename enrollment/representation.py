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
    return Decision(True, Signer.REPRESENTATIVE, str(_("Sie erklären als gesetzliche Vertretung.")))
