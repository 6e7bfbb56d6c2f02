"""Log lines that name the request they belong to, as plain text or as JSON lines.

Each request gets an id: the one the reverse proxy sent in `X-Request-ID` when it
looks like one, or a new one. It is answered in the response's `X-Request-ID` and
written on every log line the request causes, so a line in the app server's log can
be matched with the proxy's.
"""

import contextvars
import json
import logging
import re
import uuid

_current = contextvars.ContextVar("request_id", default="-")
# What a proxy's id may look like (nginx's $request_id is 32 hex digits): no spaces,
# no line breaks, nothing a log reader could take for another field.
PROXY_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.id = given if PROXY_ID.fullmatch(given) else uuid.uuid4().hex
        token = _current.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request.id
        return response


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request being answered ("-" outside one)."""

    def filter(self, record):
        record.request_id = _current.get()
        return True


class JSONLinesFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, request id, message, and the
    traceback of an exception."""

    def format(self, record):
        line = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)

    def formatTime(self, record, datefmt=None):
        from datetime import UTC, datetime

        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
