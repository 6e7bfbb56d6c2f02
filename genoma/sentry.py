"""Errors to Sentry (SENTRY_DSN), never with patient data.

Sentry gets what a developer needs to find a fault: the exception, its stack (without
local variables), the page's address pattern, the request id. Never what a patient
typed or could be found by: no request body, cookie, query string, user, breadcrumbs
(SQL parameters, log lines), email address in a message, nor the token of a patient's
own link.
"""

import re

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

EMAIL_ADDRESS = re.compile(r"[^\s<>\"'=(),]+@[^\s<>\"'=(),]+")
PATIENT_LINK = re.compile(r"(/consultation/manage/)[^/?#\s]+")
KEPT_HEADERS = {"host", "user-agent", "x-request-id", "content-type", "content-length"}


def _clean(text):
    return PATIENT_LINK.sub(r"\1[token]", EMAIL_ADDRESS.sub("[address]", text))


def scrub(event, hint=None):
    """`before_send`: the event without anything that could name a patient."""
    request = event.get("request") or {}
    for part in ("data", "cookies", "query_string", "env"):
        request.pop(part, None)
    if "headers" in request:
        request["headers"] = {
            name: value
            for name, value in request["headers"].items()
            if name.lower() in KEPT_HEADERS
        }
    if "url" in request:
        request["url"] = _clean(request["url"])
    event.pop("user", None)
    event.pop("breadcrumbs", None)
    event.pop("extra", None)
    for exception in (event.get("exception") or {}).get("values", []):
        if exception.get("value"):
            exception["value"] = _clean(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    logentry = event.get("logentry") or {}
    for key in ("message", "formatted"):
        if logentry.get(key):
            logentry[key] = _clean(logentry[key])
    logentry.pop("params", None)
    if event.get("transaction"):
        event["transaction"] = _clean(event["transaction"])
    return event


def start_sentry(dsn, **options):
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub,
        before_breadcrumb=lambda crumb, hint: None,
        **options,
    )
