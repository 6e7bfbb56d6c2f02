"""Rich text is sanitized with nh3 on every write path: save, update, bulk create, admin."""

import pytest
from django.urls import reverse

from articles.models import Article, ArticleSection, Condition, Treatment
from articles.richtext import sanitize_html
from tests.articles.factories import (
    article_form,
    make_article,
    make_condition,
    make_section,
    make_treatment,
    publish,
)

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
def post_treatment_description(client, treatment, description):
    """The treatment's admin change form, as an editor sends it, with this description."""
    return client.post(
        reverse("admin:articles_treatment_change", args=[treatment.pk]),
        {
            "name": treatment.name,
            "slug": treatment.slug,
            "kind": "regenerative",
            "summary": "A therapy.",
            "evidence_status": "experimental",
            "regulatory_note": "",
            "description": description,
            "points-TOTAL_FORMS": "0",
            "points-INITIAL_FORMS": "0",
        },
    )


def test_admin_saves_sanitized_rich_text(admin_client):
    treatment = make_treatment(name="T", slug="t")
    response = post_treatment_description(
        admin_client,
        treatment,
        "<p>Fine</p><script>alert(1)</script>"
        '<img src="/media/articles/editor/a.png" alt="A scan" onerror="alert(1)">',
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
    publish(article)
    response = client.get("/articles/x/")
    assert response.status_code == 200
    page = response.content.decode()
    assert payload not in page
    assert Article.objects.get(slug="x").title == payload  # stored as typed, escaped on output


@pytest.mark.django_db
def test_rich_text_renders_without_anything_executable_on_public_pages(client):
    condition = make_condition(slug="c", overview="".join(XSS_PAYLOADS))
    treatment = make_treatment(slug="t", name="T", description="".join(XSS_PAYLOADS))
    article = make_article(slug="a")
    make_section(article, body="".join(XSS_PAYLOADS))
    publish(condition, treatment, article)
    for url in ("/conditions/c/", treatment.get_absolute_url(), "/articles/a/"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        main = page[page.index("<main") : page.index("</main>")]
        main = main.replace('<script type="application/ld+json">', "")
        assert_clean(main.split("</h1>", 1)[1])
    assert Treatment.objects.get(slug="t").description.count("<script") == 0


@pytest.mark.parametrize(
    "src",
    [
        "https://tracker.example/pixel.png",
        "//tracker.example/pixel.png",
        "http://127.0.0.1/media/a.jpg",
        "/static/logo.png",
        "articles/editor/a.jpg",
        "data:image/png;base64,iVBORw0KGgo=",
        "",
    ],
)
def test_images_from_anywhere_but_the_sites_media_are_dropped(src):
    cleaned = sanitize_html(
        f'<figure><img src="{src}" alt="A pixel"><figcaption>Seen</figcaption></figure>'
        '<p><a href="https://example.org/study">A study</a></p>'
    )
    assert "<img" not in cleaned
    assert "<figcaption>Seen</figcaption>" in cleaned
    assert 'href="https://example.org/study"' in cleaned


def test_an_alt_text_that_mentions_src_cannot_keep_an_image_without_one():
    cleaned = sanitize_html('<img alt="x src=" src="https://tracker.example/p.png" width="9">')
    assert "<img" not in cleaned


def test_the_sites_own_media_images_stay():
    cleaned = sanitize_html('<p><img src="/media/articles/editor/a.jpg" alt="A scan"></p>')
    assert 'src="/media/articles/editor/a.jpg"' in cleaned


def test_with_media_on_another_origin_its_images_stay_and_others_go(settings):
    settings.MEDIA_URL = "https://cdn.genoma.example/media/"
    kept = sanitize_html('<img src="https://cdn.genoma.example/media/a.jpg" alt="A scan">')
    assert 'src="https://cdn.genoma.example/media/a.jpg"' in kept
    for src in ("/media/a.jpg", "https://cdn.genoma.example.evil.example/a.jpg"):
        assert "<img" not in sanitize_html(f'<img src="{src}" alt="A scan">')


def treatment_form(treatment, **changes):
    return {
        "name": treatment.name,
        "slug": treatment.slug,
        "kind": treatment.kind,
        "summary": treatment.summary,
        "evidence_status": treatment.evidence_status,
        "regulatory_note": "",
        "description": treatment.description,
        "points-TOTAL_FORMS": "0",
        "points-INITIAL_FORMS": "0",
        **changes,
    }


ALT_MESSAGE = "Change image text alternative"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "image",
    [
        '<img src="/media/articles/editor/a.jpg">',
        '<img src="/media/articles/editor/a.jpg" alt=" ">',
    ],
    ids=["no-alt", "blank-alt"],
)
def test_an_image_without_a_text_alternative_is_refused_with_a_message(editor_client, image):
    treatment = make_treatment(name="T", slug="t", description="<p>Before.</p>")
    url = reverse("admin:articles_treatment_change", args=[treatment.pk])
    response = editor_client.post(url, treatment_form(treatment, description=f"<p>x</p>{image}"))
    assert response.status_code == 200
    assert ALT_MESSAGE in str(response.context["adminform"].form.errors["description"])
    assert ALT_MESSAGE in response.content.decode()
    treatment.refresh_from_db()
    assert treatment.description == "<p>Before.</p>"


@pytest.mark.django_db
def test_an_image_with_a_text_alternative_is_saved(editor_client):
    treatment = make_treatment(name="T", slug="t")
    url = reverse("admin:articles_treatment_change", args=[treatment.pk])
    image = '<img src="/media/articles/editor/a.jpg" alt="A hip X-ray">'
    response = editor_client.post(url, treatment_form(treatment, description=image))
    assert response.status_code == 302
    treatment.refresh_from_db()
    assert 'alt="A hip X-ray"' in treatment.description


@pytest.mark.django_db
def test_an_image_without_alt_in_an_article_section_is_refused_beside_it(editor_client):
    article = make_article(slug="a")
    section = make_section(article, body="<p>Kept.</p>")
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form(
            article,
            **{
                "sections-TOTAL_FORMS": "1",
                "sections-INITIAL_FORMS": "1",
                "sections-0-id": section.pk,
                "sections-0-article": article.pk,
                "sections-0-order": section.order,
                "sections-0-kind": "text",
                "sections-0-heading": section.heading,
                "sections-0-body": '<p>New.</p><img src="/media/articles/editor/a.jpg">',
            },
        ),
    )
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert ALT_MESSAGE in str(errors[0]["body"])
    section.refresh_from_db()
    assert section.body == "<p>Kept.</p>"


@pytest.mark.django_db
def test_admin_names_an_image_from_elsewhere_instead_of_dropping_it_unseen(admin_client):
    treatment = make_treatment(name="T", slug="t", description="<p>Before</p>")
    response = post_treatment_description(
        admin_client,
        treatment,
        '<p>After</p><img src="https://tracker.example/pixel.gif" alt="x">',
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Images must be uploaded with the editor" in page
    assert "https://tracker.example/pixel.gif" in page
    treatment.refresh_from_db()
    assert treatment.description == "<p>Before</p>"
