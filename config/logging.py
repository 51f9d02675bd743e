"""Keep personal data out of server logs.

The admin search puts the search term (a KVNR or a name) into the query string
(`?q=A123456780`). `RedactQueryFilter` masks every query value in the request lines of
Django's development server (`django.server`) and in `django.request` messages; the
production server (gunicorn, `config/gunicorn.conf.py`) logs the path without the query.

Every request carries a request id (`RequestIdMiddleware`): the `X-Request-ID` the reverse
proxy sent (nginx: `proxy_set_header X-Request-ID $request_id`, deploy/nginx.conf) or a new
one; the response returns it, and every log record written while the request runs carries it
(`RequestIdFilter`), so the proxy's access log, gunicorn's and the application's lines of one
request belong together. `LOG_FORMAT=json` writes one JSON object per line (time, level,
logger, request id, message) for the log collector.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid

_QUERY_VALUE = re.compile(r"([?&][^=&\s\"?#]+=)[^&\s\"#]*")
MASK = "***"


def redact_query(text: str) -> str:
    """'GET /verwaltung/x/?q=A123456780&p=2 HTTP/1.1' → 'GET /verwaltung/x/?q=***&p=*** HTTP/1.1'."""
    return _QUERY_VALUE.sub(lambda m: m.group(1) + MASK, text)


class RedactQueryFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_query(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_query(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact_query(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """First in the stack: the request id for the logs and the `X-Request-ID` response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        request_id = sent if _VALID_ID.fullmatch(sent) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        request.request_id = request_id
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message (and the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
