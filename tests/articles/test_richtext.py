"""Rich text is sanitized with nh3 on every write path: save, update, bulk create, admin."""

import pytest
from django.urls import reverse

from articles.models import Article, ArticleSection, Condition, Treatment
from articles.richtext import sanitize_html
from tests.articles.factories import make_article, make_condition, make_section, make_treatment

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<p onclick="alert(1)">click</p>',
    '<a href="javascript:alert(1)">link</a>',
    '<a href="JaVaScRiPt:alert(1)">link</a>',
    '<a href="&#106;avascript:alert(1)">link</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="position:fixed;inset:0">overlay</div>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="https://evil.example"><input name="x"></form>',
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<img src=x onerror=alert(1)//",
    "<<script>script>alert(1)<</script>/script>",
    '<p title="x" onmouseover=alert(1)>broken',
    "<!--<script>alert(1)</script>-->",
    '<a href="https://example.org" target="_blank" onfocus="alert(1)" autofocus>ok</a>',
]
FORBIDDEN = ["<script", "onerror", "onclick", "onload", "onmouseover", "onfocus", "javascript:",
             "style=", "<svg", "<iframe", "<object", "<embed", "<form", "<style", "<meta",
             "<base", "data:text"]  # fmt: skip


def assert_clean(html):
    lowered = html.lower()
    for marker in FORBIDDEN:
        assert marker not in lowered, (marker, html)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitizer_removes_everything_executable(payload):
    assert_clean(sanitize_html(payload))


def test_sanitizer_keeps_the_editors_formatting():
    html = (
        '<h2>Title</h2><p><strong>bold</strong> <em>italic</em> <a href="https://example.org">'
        "link</a></p><ul><li>one</li></ul><ol><li>two</li></ol><blockquote><p>quote</p></blockquote>"
        '<figure><img src="/media/articles/editor/a.jpg" alt="A scan"></figure>'
        "<table><tbody><tr><td>cell</td></tr></tbody></table>"
    )
    cleaned = sanitize_html(html)
    for kept in ("<h2>", "<strong>", "<em>", 'href="https://example.org"', "<ul>", "<ol>",
                 "<blockquote>", 'src="/media/articles/editor/a.jpg"', 'alt="A scan"', "<td>"):  # fmt: skip
        assert kept in cleaned
    assert 'rel="noopener noreferrer"' in cleaned
    assert 'loading="lazy"' in cleaned


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_every_rich_text_field_is_sanitized_on_save(payload):
    condition = make_condition(overview=payload, diagnosis=payload)
    treatment = make_treatment(name="T", slug="t", description=payload)
    section = make_section(make_article(), body=payload)
    for obj, fields in ((condition, ["overview", "diagnosis"]), (treatment, ["description"]),
                        (section, ["body"])):  # fmt: skip
        obj.refresh_from_db()
        for field in fields:
            assert_clean(getattr(obj, field))


@pytest.mark.django_db
def test_queryset_update_and_bulk_create_are_sanitized_too():
    condition = make_condition()
    Condition.objects.filter(pk=condition.pk).update(overview=XSS_PAYLOADS[2])
    condition.refresh_from_db()
    assert_clean(condition.overview)
    article = make_article()
    ArticleSection.objects.bulk_create(
        [ArticleSection(article=article, order=9, body='<p onclick="x()">hi</p>')]
    )
    assert_clean(ArticleSection.objects.get(order=9).body)


@pytest.mark.django_db
def test_admin_saves_sanitized_rich_text(admin_client):
    treatment = make_treatment(name="T", slug="t")
    url = reverse("admin:articles_treatment_change", args=[treatment.pk])
    response = admin_client.post(
        url,
        {
            "name": "T",
            "slug": "t",
            "kind": "regenerative",
            "summary": "A therapy.",
            "evidence_status": "experimental",
            "regulatory_note": "",
            "description": '<p>Fine</p><script>alert(1)</script><img src=x onerror="alert(1)">',
            "points-TOTAL_FORMS": "0",
            "points-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    treatment.refresh_from_db()
    assert treatment.description.startswith("<p>Fine</p>")
    assert_clean(treatment.description)


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_PAYLOADS[:6])
def test_plain_text_fields_are_escaped_on_public_pages(client, payload):
    article = make_article(slug="x", title=payload, standfirst=payload)
    make_section(article, heading=payload)
    page = client.get("/articles/x/").content.decode()
    assert payload not in page
    assert Article.objects.get(slug="x").title == payload  # stored as typed, escaped on output


@pytest.mark.django_db
def test_rich_text_renders_without_anything_executable_on_public_pages(client):
    make_condition(slug="c", overview="".join(XSS_PAYLOADS))
    treatment = make_treatment(slug="t", name="T", description="".join(XSS_PAYLOADS))
    article = make_article(slug="a")
    make_section(article, body="".join(XSS_PAYLOADS))
    for url in ("/conditions/c/", treatment.get_absolute_url(), "/articles/a/"):
        page = client.get(url).content.decode()
        main = page[page.index("<main") : page.index("</main>")]
        main = main.replace('<script type="application/ld+json">', "")
        assert_clean(main.split("</h1>", 1)[1])
    assert Treatment.objects.get(slug="t").description.count("<script") == 0
