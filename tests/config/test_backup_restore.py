"""deploy/backup_restore.py on PostgreSQL: dump, restore into a fresh database, and counts and
checksums of participations and their events equal; a changed row is found."""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.fixtures.enrollment import at, declare

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the dump sees committed rows only
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="pg_dump/pg_restore: PostgreSQL only"),
]

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "backup_restore.py"


def _url(name: str | None = None) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name or s['NAME']}"


def _load_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("backup_restore", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def participations(hzv, gp, person, other_person):
    from enrollment import services

    first = declare(hzv, person, gp, now=at(2025, 3, 3))
    declare(hzv, other_person, gp, now=at(2025, 3, 4))
    services.participation_revoke(participation=first, actor=person.user, now=at(2025, 3, 5))
    return first


def test_backup_restores_into_a_fresh_database_with_equal_counts_and_checksums(participations, tmp_path):
    result = subprocess.run(  # noqa: S603 - the script under test
        [sys.executable, str(SCRIPT), "backup", _url(), "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "same       enrollment_participation: 2 rows, md5 " in result.stdout
    assert "same       enrollment_participationevent: " in result.stdout
    assert "OK: " in result.stdout and "DIFFERENT" not in result.stdout
    assert len(list(tmp_path.glob("*.dump"))) == 1
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:  # dropped after the check
        names = [r[0] for r in admin.execute("SELECT datname FROM pg_database")]
    assert f"{connection.settings_dict['NAME']}_restorecheck" not in names


def test_compare_finds_a_changed_participation(participations, tmp_path):
    script = _load_script()
    target = f"{connection.settings_dict['NAME']}_tampered"
    with redirect_stdout(io.StringIO()):
        assert script.backup(_url(), tmp_path, target, keep=True)
    try:
        with psycopg.connect(_url(target), autocommit=True) as restored:
            restored.execute(
                "UPDATE enrollment_participation SET updated_at = updated_at + interval '1 second' WHERE id = %s",
                [participations.pk],
            )
        out = io.StringIO()
        with redirect_stdout(out):
            assert script.compare(_url(), _url(target)) is False
        assert "DIFFERENT  enrollment_participation:" in out.getvalue()
        assert "FAILED" in out.getvalue()
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
