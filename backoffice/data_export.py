""" "Meine Daten": everything the portal holds about a signed-in person and the persons they
represent, as JSON and as a readable PDF (Art. 15 and 20 GDPR; issue 9 §3).

It lives in the back-office app because it reads the back office's access log (which staff
member looked at whose data when); the floors allow the back office to read enrollment, not
the other way round. The insured side links to it from the account page.

What goes in: the account (no password hash, no second-factor secrets), per person their
master data, legal representations, participations with the texts as shown and the consents
given, every event of each participation, the issued documents (kind, date, SHA-256), the
activation codes (dates only, never a code) and every recorded staff access. Staff members are
named by their account's user name and fund, as the access log records them.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from backoffice.access_log import access_log_for_person
from enrollment.models import ActivationCode, InsuredPerson, LegalRepresentation, Participation
from enrollment.selectors import persons_for_user

FORMAT_VERSION = 1


def _value(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _person(person: InsuredPerson) -> dict:
    return {
        "kvnr": person.kvnr,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": _value(person.birth_date),
        "street": person.street,
        "postal_code": person.postal_code,
        "city": person.city,
        "land": person.land_id,
        "fund": person.fund.name,
        "created_at": _value(person.created_at),
    }


def _participation(p: Participation) -> dict:
    return {
        "number": p.pk,
        "program": p.contract.program.title,
        "legal_basis": p.contract.program.legal_basis,
        "fund": p.contract.fund.name,
        "contract_version": p.contract_version,
        "status": p.status,
        "status_label": str(p.get_status_display()),
        "channel": p.channel,
        "declared_by": "representative" if p.signer_id else "self",
        "provider": p.provider.name if p.provider_id else None,
        "declared_at": _value(p.declared_at),
        "instructed_at": _value(p.instructed_at),
        "revocation_deadline": _value(p.revocation_deadline),
        "start_date": _value(p.start_date),
        "binding_end": _value(p.binding_end),
        "end_date": _value(p.end_date),
        "revoked_at": _value(p.revoked_at),
        "cancelled_at": _value(p.cancelled_at),
        "consents": p.consents,
        "texts_as_shown": {
            "declaration": p.declaration_text,
            "consent": p.consent_text,
            "revocation_instruction": p.revocation_instruction,
        },
        "events": [
            {
                "at": _value(e.at),
                "from": e.from_status,
                "to": e.to_status,
                "reason": e.reason_code,
                "reason_label": str(e.get_reason_code_display()),
                "channel": e.channel,
                "by": "staff" if e.actor_id and e.actor.is_staff else ("person" if e.actor_id else "system"),
            }
            for e in p.events.all()
        ],
        "documents": [
            {"kind": d.kind, "issued_at": _value(d.issued_at), "sha256": d.sha256, "size": d.size}
            for d in p.documents.all()
        ],
    }


def build_export(user, *, now=None) -> dict:
    """The export of `user`'s own record and the persons they represent today."""
    now = now or timezone.now()
    persons = persons_for_user(user)
    ids = [p.pk for p in persons]
    participations: dict[int, list] = {pk: [] for pk in ids}
    for p in (
        Participation.objects.filter(person_id__in=ids)
        .select_related("contract__program", "contract__fund", "provider")
        .prefetch_related("events__actor", "documents")
        .order_by("declared_at", "pk")
    ):
        participations[p.person_id].append(_participation(p))
    representations = LegalRepresentation.objects.filter(
        Q(representative_id__in=ids) | Q(represented_id__in=ids)
    ).select_related("representative", "represented")
    return {
        "format": "versorgungslotse-meine-daten",
        "version": FORMAT_VERSION,
        "created_at": _value(now),
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "date_joined": _value(user.date_joined),
            "last_login": _value(user.last_login),
        },
        "persons": [
            {
                "relation": "self" if person.user_id == user.pk else "represented",
                "data": _person(person),
                "representations": [
                    {
                        "representative": f"{r.representative.first_name} {r.representative.last_name}",
                        "represented": f"{r.represented.first_name} {r.represented.last_name}",
                        "kind": r.kind,
                        "valid_from": _value(r.valid_from),
                        "valid_until": _value(r.valid_until),
                    }
                    for r in representations
                    if person.pk in (r.representative_id, r.represented_id)
                ],
                "participations": participations[person.pk],
                "activation_codes": [
                    {
                        "created_at": _value(c.created_at),
                        "expires_at": _value(c.expires_at),
                        "used_at": _value(c.used_at),
                    }
                    for c in ActivationCode.objects.filter(person=person).order_by("created_at")
                ],
                "staff_access": [
                    {
                        "at": _value(entry.at),
                        "staff_member": entry.username,
                        "fund": entry.fund.name,
                        "action": entry.action,
                        "action_label": str(entry.get_action_display()),
                        "record_type": entry.record_type,
                    }
                    for entry in access_log_for_person(person).select_related("fund")
                ],
            }
            for person in persons
        ],
    }


def export_json(user, *, now=None) -> bytes:
    return json.dumps(build_export(user, now=now), ensure_ascii=False, indent=2).encode("utf-8")


def export_pdf(user, *, now=None) -> bytes:
    """The same content as a readable, tagged PDF."""
    from enrollment.receipts import html_pdf

    data = build_export(user, now=now)
    html = render_to_string(
        "backoffice/my_data_pdf.html", {"data": data, "LANGUAGE_CODE": translation.get_language() or "de"}
    )
    return html_pdf(html)
