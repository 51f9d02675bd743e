"""Production settings fail closed; every response carries the security headers; pages with
personal data are never cached; a database outage answers 503 with Retry-After, never 500."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from config.settings import mailer_from_url
from tests.factories import InsuredPersonFactory

ROOT = Path(__file__).resolve().parents[2]


def documented_production_environment() -> dict[str, str]:
    """The `env` block of docs/deployment.md, exactly as an operator would copy it."""
    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    block = re.search(r"```env\n(.*?)```", text, re.S)
    assert block, "docs/deployment.md must document the production environment in an ```env block"
    values = {}
    for line in block.group(1).splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "EMAIL_BACKEND", "EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path):
    env = documented_production_environment()
    assert env["DEBUG"] == "false" and "EMAIL_URL" in env and "SECRET_KEY" in env
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'deploy.sqlite3'}"  # the check itself needs no PostgreSQL
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_a_mail_server_refuses_to_start(tmp_path):
    env = documented_production_environment()
    del env["EMAIL_URL"]
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'deploy.sqlite3'}"
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "Production needs a mail server" in result.stderr
    env["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
    assert "Production needs a mail server" in run_manage("check", env=env).stderr


def test_mail_server_from_url():
    mailer = mailer_from_url("smtp+tls://portal%40kasse.example:s%3Acret@mail.kasse.example:587?timeout=5")
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] == {
        "host": "mail.kasse.example",
        "port": 587,
        "use_tls": True,
        "use_ssl": False,
        "timeout": 5,
        "username": "portal@kasse.example",
        "password": "s:cret",
    }
    assert mailer_from_url("smtp+ssl://relay.example")["OPTIONS"]["port"] == 465
    with pytest.raises(ImproperlyConfigured):
        mailer_from_url("http://relay.example")


@pytest.mark.django_db
def test_every_page_carries_the_permissions_policy(client):
    response = client.get(reverse("home"))
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_anonymous_catalogue_pages_stay_cacheable(client, aoks):
    response = client.get(reverse("home"))
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["enrollment:dashboard", "accounts:account", "home", "programs:list"])
def test_pages_for_a_signed_in_person_are_never_stored(client, aoks, url_name):
    person = InsuredPersonFactory()
    client.force_login(person.user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "max-age" not in response["Cache-Control"]


@pytest.mark.django_db
def test_database_outage_answers_503_with_retry_after_in_german(aoks):
    client = Client(raise_request_exception=False)
    with (
        mock.patch.object(connection, "ensure_connection", side_effect=OperationalError("server closed")),
        mock.patch.object(connection, "connection", None),
    ):
        response = client.get(reverse("programs:list") + "?q=Diabetes")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Vorübergehend nicht erreichbar" in body
    assert "Traceback" not in body


@pytest.mark.django_db
def test_a_session_that_cannot_be_saved_in_an_outage_answers_503_not_400(aoks):
    """bench/load.py --restart-db: while PostgreSQL restarted, requests whose session had to be
    saved answered 400 ("session was deleted before the request completed"): Django's database
    session store reports any database error on update as a deleted session."""
    from django.contrib.sessions.models import Session

    person = InsuredPersonFactory()
    client = Client(raise_request_exception=False)
    client.force_login(person.user)
    with mock.patch.object(Session, "save", side_effect=OperationalError("server closed the connection")):
        response = client.post(reverse("accounts:session_extend"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


@pytest.mark.django_db
def test_other_errors_stay_500(aoks):
    client = Client(raise_request_exception=False)
    with mock.patch("programs.views.render_page", side_effect=ValueError("boom")):
        response = client.get(reverse("programs:list"))
    assert response.status_code == 500
    assert "Technischer Fehler" in response.content.decode()


@pytest.mark.django_db
def test_health_endpoint_reports_each_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "worker": "not used"}}
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_endpoint_fails_when_the_cache_is_down(client):
    with mock.patch("config.health.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "unreachable"


@pytest.mark.django_db
def test_health_endpoint_sees_a_task_backlog(client, settings):
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult, get_date_max

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert client.get("/healthz").json()["checks"]["worker"] == "ok"
    task = DBTaskResult.objects.create(
        status="READY",
        task_path="reports.tasks.x",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        priority=0,
        run_after=get_date_max(),
    )
    assert client.get("/healthz").json()["checks"]["worker"] == "ok"  # just enqueued: no backlog yet
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - dt.timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["worker"] == "backlog"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_sends_no_server_banner_and_logs_no_query_strings(tmp_path):
    import time
    import urllib.error
    import urllib.request

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.test_settings",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}",  # independent of the suite's database
    )
    log = tmp_path / "access.log"
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?q=X123456789", timeout=2) as reply:
                        headers = reply.headers
                    break
                except urllib.error.HTTPError as error:  # an answer all the same (e.g. 503)
                    headers = error.headers
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail("gunicorn did not answer")
        finally:
            server.terminate()
            server.wait(timeout=10)
    assert "Server" not in headers
    assert "Permissions-Policy" in headers
    text = log.read_text()
    assert "/healthz" in text and "X123456789" not in text


def test_make_run_sends_mail_links_to_the_port_it_serves_on():
    result = subprocess.run(  # noqa: S603
        ["make", "-n", "run", "PORT=8801"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "SITE_URL=http://127.0.0.1:8801" in result.stdout
    assert "runserver 127.0.0.1:8801" in result.stdout


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    from django.contrib.staticfiles import finders

    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
    assert "<svg" in Path(finders.find("img/favicon.svg")).read_text(encoding="utf-8")


@pytest.mark.django_db
def test_every_response_and_log_line_of_a_request_carries_its_request_id(client, aoks, caplog):
    """The proxy's X-Request-ID comes back and marks the application's log lines of that
    request; without one the portal makes its own; a forged value with odd characters is
    replaced."""
    import logging

    from config.logging import RequestIdFilter

    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Collect()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("programs")
    logger.addHandler(handler)
    try:
        with mock.patch(
            "programs.views.render_page", side_effect=lambda *a, **k: logger.warning("rendering") or HttpResponse("ok")
        ):
            response = client.get(reverse("programs:list"), headers={"X-Request-ID": "abc-123"})
    finally:
        logger.removeHandler(handler)
    assert response["X-Request-ID"] == "abc-123"
    assert [r.request_id for r in records] == ["abc-123"]
    made = client.get(reverse("home"))["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get(reverse("home"), headers={"X-Request-ID": "x\nforged"})["X-Request-ID"] != "x\nforged"


def test_json_log_lines_carry_the_request_id():
    import json
    import logging

    from config.logging import JsonFormatter

    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Fehler bei %s", ("/x",), None)
    record.request_id = "abc-123"
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc-123" and line["message"] == "Fehler bei /x" and line["level"] == "ERROR"
