"""English is complete: every text the product marks for translation has an English text.

The catalogue is extracted afresh (``makemessages`` in a copy of the project, so the checkout
stays untouched) and merged with the committed English catalogue; an empty or fuzzy entry
names the text that is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".venv", ".git", "media", "staticfiles", "node_modules", "*.mo", "__pycache__", "tests")


def _entries(po: str) -> list[str]:
    return [block for block in po.split("\n\n")[1:] if "msgid" in block]


def _untranslated(block: str) -> bool:
    return "#, fuzzy" in block or re.search(r'^msgstr ""\Z', block.strip().splitlines()[-1]) is not None


def test_every_text_has_an_english_translation(tmp_path):
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("xgettext is missing: apt-get install gettext")
        pytest.skip("xgettext is missing (apt-get install gettext)")
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=SKIP)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "en",
            "--no-obsolete",
            "-v0",
            "--ignore=bench/*",
            "--ignore=deploy/*",
            "--ignore=docs/*",
        ],  # fmt: skip
        cwd=copy,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    merged = (copy / "locale/en/LC_MESSAGES/django.po").read_text()
    missing = [
        block.split("msgid", 1)[1].split("msgstr")[0].strip() for block in _entries(merged) if _untranslated(block)
    ]
    assert missing == [], f"{len(missing)} texts without English: {missing[:20]}"
