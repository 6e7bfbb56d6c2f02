"""Every response and every log line of a request carry the request's id; with
DJANGO_LOG_FORMAT=json the log is JSON lines."""

import io
import json
import logging
import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from genoma.request_log import JSONLinesFormatter, RequestIdFilter
from tests.consultations.conftest import valid_post  # noqa: F401 - a fixture
from tests.genoma.test_settings import load_settings  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """What the site logs during the test, as the settings' JSON handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JSONLinesFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_each_response_names_a_new_request_id(client):
    first = client.get("/privacy/")["X-Request-ID"]
    second = client.get("/privacy/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_the_proxys_request_id_is_kept_when_it_looks_like_one(client):
    given = "5f2b0c1a9d8e7f60a1b2c3d4e5f60718"
    assert client.get("/privacy/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    for forged in ("short", "two words here ok", "x" * 65, "id\nlevel=ERROR"):
        answered = client.get("/privacy/", HTTP_X_REQUEST_ID=forged)["X-Request-ID"]
        assert answered != forged
        assert re.fullmatch(r"[0-9a-f]{32}", answered)


def test_log_lines_of_a_request_carry_its_id_as_json(client, json_log, valid_post):  # noqa: F811
    response = client.post("/consultation/", valid_post, HTTP_X_REQUEST_ID="req-12345678")
    assert response["X-Request-ID"] == "req-12345678"
    stored = [line for line in json_log() if "stored" in line["message"]]
    assert len(stored) == 1
    assert stored[0]["request_id"] == "req-12345678"
    assert stored[0]["level"] == "INFO"
    assert stored[0]["logger"] == "consultations.services"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", stored[0]["time"])
    logging.getLogger("genoma").warning("outside a request")
    assert json_log()[-1]["request_id"] == "-"


def test_an_exception_is_one_json_line_with_its_traceback(json_log):
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("genoma").exception("it failed")
    [line] = [line for line in json_log() if line["message"] == "it failed"]
    assert "ValueError: broken" in line["exception"]


def test_the_log_format_follows_the_environment(load_settings):  # noqa: F811
    key = {"DJANGO_SECRET_KEY": "k" * 50}
    assert load_settings(**key)["LOGGING"]["handlers"]["stdout"]["formatter"] == "plain"
    json_settings = load_settings(**key, DJANGO_LOG_FORMAT="json")
    assert json_settings["LOGGING"]["handlers"]["stdout"]["formatter"] == "json"
    with pytest.raises(ImproperlyConfigured, match="DJANGO_LOG_FORMAT is 'plain' or 'json'"):
        load_settings(**key, DJANGO_LOG_FORMAT="xml")
