"""Generated input (hypothesis) never causes a 500 and never comes back as live markup."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.consultations.conftest import started_seconds_ago

pytestmark = pytest.mark.django_db
MARKER = "<b id=fuzz>"  # if this comes back unescaped, markup got through
NASTY = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=3000),
    st.text(alphabet="<>&\"'/=\x00\x01\x1b\u202e\ufeff\u0e01-_.:;", max_size=200),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "<script>alert(1)</script>",
            "𝕏" * 500,
            "1e9999",
            "-0",
            "NaN",
            "--1",
            "٣",
            "−2.5",
            "9" * 5000,
        ]
    ),
).map(lambda text: text + MARKER if len(text) % 3 == 0 else text)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FORM_FIELDS = ["full_name", "email", "phone", "country", "contact_method", "language",
               "condition", "treatment", "preferred_date", "preferred_time", "message",
               "consent", "website", "submission_token", "source_page", "source_article",
               "time_zone"]  # fmt: skip


def assert_safe(response):
    assert response.status_code < 500
    assert MARKER not in response.content.decode("utf-8", errors="replace")


@pytest.fixture
def fuzz_client(settings, clinic_content):
    settings.CONSULTATION_RATE_LIMIT = "off"
    return Client()


@FUZZ
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(FORM_FIELDS, NASTY)))
def test_consultation_form_survives_generated_input(fuzz_client, data):
    data = {**data, "form_started": started_seconds_ago(30)}
    assert_safe(fuzz_client.post("/consultation/", data))


@FUZZ
@given(query=NASTY)
def test_search_survives_generated_queries(fuzz_client, query):
    assert_safe(fuzz_client.get("/search/", {"q": query}))


@FUZZ
@given(value=st.one_of(NASTY, st.floats(allow_nan=True, allow_infinity=True).map(str)))
def test_t_score_interpreter_survives_generated_values(fuzz_client, value):
    response = fuzz_client.get("/conditions/osteoporosis/", {"t_score": value})
    assert_safe(response)
    assert response.status_code == 200


@FUZZ
@given(slug=NASTY, page=NASTY)
def test_article_list_filters_survive_generated_values(fuzz_client, slug, page):
    assert_safe(fuzz_client.get("/articles/", {"condition": slug, "page": page}))
    assert_safe(fuzz_client.get("/consultation/", {"condition": slug, "article": page}))
