"""Password rules beyond Django's validators: common German passwords (issue 9 §2).

Django's `CommonPasswordValidator` knows mostly English passwords; "passwort123" passed. This
validator refuses the German list in `common_passwords_de.txt` and every password that is one
of its words followed only by digits and symbols ("Sommer2026!", "Schalke04!!"), in any letter
case, with umlauts or their spellings (ä/ae …).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LIST = Path(__file__).with_name("common_passwords_de.txt")
_TRAILING = re.compile(r"[\d\W_]+$")


def _fold(text: str) -> str:
    text = text.lower().strip()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    return text


@cache
def common_passwords() -> frozenset[str]:
    words = set()
    for line in LIST.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(_fold(line))
            words.add(_fold(line).replace(" ", ""))
    return frozenset(words)


def is_common(password: str) -> bool:
    folded = _fold(password)
    if folded in common_passwords():
        return True
    base = _TRAILING.sub("", folded)
    return bool(base) and base in common_passwords()


class GermanCommonPasswordValidator:
    def validate(self, password: str, user=None) -> None:
        if is_common(password):
            raise ValidationError(
                _("Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes."),
                code="password_too_common_de",
            )

    def get_help_text(self) -> str:
        return _("Ihr Passwort darf kein verbreitetes Passwort wie „Passwort123“ oder „Sommer2026!“ sein.")
