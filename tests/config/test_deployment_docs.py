"""docs/deployment.md and deploy/ stay true: every environment variable the settings read is
documented, and every command the docs and the systemd units run exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")


def _variables_read() -> set[str]:
    settings = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    gunicorn = (ROOT / "config" / "gunicorn.conf.py").read_text(encoding="utf-8")
    names = set(re.findall(r'\benv(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', settings))
    names |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z][A-Z0-9_]+)"', gunicorn))
    return names


def test_every_environment_variable_is_in_the_table_of_the_deployment_docs():
    names = _variables_read()
    assert {"DATABASE_URL", "DATABASE_REPLICA_URL", "GUNICORN_WORKERS"} <= names  # the scan works
    table = "\n".join(line for line in DOC.splitlines() if line.startswith("|"))
    missing = sorted(name for name in names if f"`{name}`" not in table)
    assert missing == []


@pytest.mark.parametrize("command", sorted(set(re.findall(r"manage\.py (\w+)", DOC))))
def test_every_command_the_docs_name_exists(command):
    assert command in get_commands()


@pytest.mark.parametrize("unit", sorted((ROOT / "deploy" / "systemd").glob("*.service")), ids=lambda p: p.name)
def test_systemd_units_run_existing_commands(unit):
    text = unit.read_text(encoding="utf-8")
    start = re.search(r"^ExecStart=(.+)$", text, re.M).group(1)
    if "manage.py" in start:
        assert re.search(r"manage\.py (\w+)", start).group(1) in get_commands()
    else:
        assert "--config config/gunicorn.conf.py config.wsgi" in start
        assert (ROOT / "config" / "gunicorn.conf.py").is_file()
    assert "EnvironmentFile=/etc/versorgungslotse/env" in text
