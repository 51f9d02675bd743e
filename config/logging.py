"""Keep personal data out of server logs.

The admin search puts the search term (a KVNR or a name) into the query string
(`?q=A123456780`). `RedactQueryFilter` masks every query value in the request lines of
Django's development server (`django.server`) and in `django.request` messages; the
production server (gunicorn, `config/gunicorn.conf.py`) logs the path without the query.
"""

from __future__ import annotations

import logging
import re

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
