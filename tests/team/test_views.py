"""The team pages: who the public may see, what a profile says, and what it costs."""

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from team.models import Clinician
from tests.team.factories import make_clinician, with_photo

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def json_ld_blocks(page):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


def test_the_team_page_lists_only_clinicians_shown_publicly(client):
    make_clinician(name="Dr Malee Srisuk", slug="malee-srisuk")
    make_clinician(name="Dr Hidden Person", slug="hidden-person", is_public=False)
    page = html(client.get("/team/"))
    assert 'href="/team/malee-srisuk/"' in page
    assert "Dr Malee Srisuk" in page
    assert "Hidden Person" not in page
    assert "hidden-person" not in page


def card_of(page, slug):
    """The team page's card of the clinician at `slug`."""
    cards = page.split('<li class="card clinician-card">')[1:]
    found = [card.split("\n  </li>")[0] for card in cards if f'href="/team/{slug}/"' in card]
    assert len(found) == 1, slug
    return found[0]


def test_the_team_page_shows_photo_name_credentials_title_and_specialties(client):
    clinician = with_photo()
    card = card_of(html(client.get("/team/")), "somchai-jaidee")
    assert f'src="/media/{clinician.photo.name}"' in card
    assert 'alt="Dr Somchai smiling in a white coat"' in card
    assert 'width="400" height="500"' in card
    assert '<h2><a href="/team/somchai-jaidee/">Dr Somchai Jaidee</a></h2>' in card
    assert '<p class="credentials">MD, FRCOST</p>' in card
    assert '<p class="clinician-title">Orthopaedic surgeon</p>' in card
    assert (
        '<ul class="tags" aria-label="Specialties">'
        "<li>bone health</li><li>regenerative medicine</li></ul>"
    ) in card


def test_a_card_takes_its_photos_size_from_the_database_never_from_storage(client):
    clinician = with_photo()
    Clinician._meta.get_field("photo").storage.delete(clinician.photo.name)  # gone
    card = card_of(html(client.get("/team/")), "somchai-jaidee")
    assert 'width="400" height="500"' in card


def test_a_clinician_without_a_photo_has_a_quiet_placeholder_and_no_image(client):
    make_clinician()
    with_photo(name="Dr Malee Srisuk", slug="malee-srisuk")
    page = html(client.get("/team/"))
    without = card_of(page, "somchai-jaidee")
    assert "<img" not in without
    placeholder = re.search(r"<svg [^>]*>", without)[0]
    assert 'class="clinician-photo clinician-placeholder"' in placeholder
    assert 'aria-hidden="true"' in placeholder  # nothing to say: the name follows
    assert "<img" in card_of(page, "malee-srisuk")


def test_an_empty_team_page_says_so(client):
    make_clinician(is_public=False)
    assert "profiles are coming soon" in html(client.get("/team/"))


@pytest.mark.parametrize("slug", ["hidden-person", "nobody-here"])
def test_hidden_and_unknown_profiles_are_404(client, slug):
    make_clinician(slug="hidden-person", is_public=False)
    assert client.get(f"/team/{slug}/").status_code == 404


def test_the_profile_shows_who_the_clinician_is(client):
    with_photo()
    page = html(client.get("/team/somchai-jaidee/"))
    assert "<h1>Dr Somchai Jaidee</h1>" in page
    assert '<p class="standfirst">Orthopaedic surgeon</p>' in page
    assert "<dt>Credentials</dt><dd>MD, FRCOST</dd>" in page
    assert "<dt>Specialties</dt><dd>bone health, regenerative medicine</dd>" in page
    assert "<dt>Thai Medical Council licence</dt><dd>12345</dd>" in page
    assert 'alt="Dr Somchai smiling in a white coat"' in page


def test_the_biography_is_plain_paragraphs_with_its_markup_escaped(client):
    make_clinician(biography="First line <b>bold</b>.\r\n\r\nSecond line.\nThird line.")
    page = html(client.get("/team/somchai-jaidee/"))
    assert "<p>First line &lt;b&gt;bold&lt;/b&gt;.</p>" in page
    assert "<p>Second line.</p>" in page
    assert "<p>Third line.</p>" in page
    assert "<b>bold</b>" not in page


def test_a_profile_leaves_out_what_is_not_filled_in(client):
    make_clinician(credentials="", specialties="", licence_number="", biography="")
    page = html(client.get("/team/somchai-jaidee/"))
    for absent in ("Credentials", "Specialties", "Thai Medical Council licence", "About "):
        assert absent not in page.split("<main", 1)[1], absent


def test_both_pages_have_a_title_a_description_and_a_canonical_address(client):
    make_clinician()
    team = html(client.get("/team/"))
    assert "<title>Our team · Genoma Health</title>" in team
    assert '<meta name="description" content="The doctors of Genoma Health' in team
    assert '<link rel="canonical" href="http://testserver/team/">' in team
    profile = html(client.get("/team/somchai-jaidee/"))
    assert "<title>Dr Somchai Jaidee, MD, FRCOST · Genoma Health</title>" in profile
    assert (
        '<meta name="description" content="Dr Somchai Jaidee, MD, FRCOST, Orthopaedic surgeon at'
        in profile
    )
    assert '<link rel="canonical" href="http://testserver/team/somchai-jaidee/">' in profile


def test_the_main_navigation_links_to_the_team(client):
    make_clinician()
    assert 'href="/team/"' in html(client.get("/"))
    assert 'href="/team/" aria-current="page"' in html(client.get("/team/"))


def test_the_profile_describes_the_clinician_in_json_ld(client):
    clinician = with_photo()
    (data,) = json_ld_blocks(html(client.get("/team/somchai-jaidee/")))
    assert data == {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": "Dr Somchai Jaidee",
        "honorificSuffix": "MD, FRCOST",
        "jobTitle": "Orthopaedic surgeon",
        "knowsAbout": ["bone health", "regenerative medicine"],
        "url": "http://testserver/team/somchai-jaidee/",
        "image": f"http://testserver/media/{clinician.photo.name}",
        "worksFor": {
            "@type": "MedicalOrganization",
            "name": "Genoma Health",
            "url": "http://testserver/",
        },
        "identifier": {
            "@type": "PropertyValue",
            "propertyID": "Thai Medical Council licence number",
            "value": "12345",
        },
    }


def test_json_ld_leaves_out_what_is_not_filled_in_and_cannot_end_its_script(client):
    make_clinician(
        name="</script><script>alert(1)</script>", credentials="", specialties="", licence_number=""
    )
    page = html(client.get("/team/somchai-jaidee/"))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block
    data = json.loads(block)
    assert data["name"] == "</script><script>alert(1)</script>"
    assert not {"honorificSuffix", "knowsAbout", "identifier", "image"} & set(data)


def test_the_sitemap_lists_the_team_page_and_public_profiles(client):
    make_clinician(slug="shown")
    make_clinician(slug="hidden", is_public=False)
    response = client.get("/sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = ET.fromstring(response.content).findall("s:url", ns)
    paths = {urlsplit(u.find("s:loc", ns).text).path for u in urls}
    assert {"/team/", "/team/shown/"} <= paths
    assert "/team/hidden/" not in paths
    assert all(u.find("s:lastmod", ns) is not None for u in urls)


def test_the_sitemap_leaves_out_an_empty_team_page(client):
    make_clinician(is_public=False)
    assert b"/team/" not in client.get("/sitemap.xml").content


@pytest.mark.parametrize("size", [3, 30])
def test_team_pages_cost_fixed_queries_whatever_the_number_of_clinicians(
    client, django_assert_max_num_queries, settings, size
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # the cost of rendering, not of a cache hit
    for n in range(size):
        with_photo(slug=f"clinician-{n}", name=f"Dr Number {n}")
    client.get("/team/clinician-0/")  # content types, cached once per process
    # The list: the clinicians. A profile: the clinician, the articles they reviewed.
    for url, budget in (("/team/", 1), ("/team/clinician-0/", 2)):
        with django_assert_max_num_queries(budget, info=url):
            assert client.get(url).status_code == 200, url


def test_the_sitemap_asks_the_same_queries_whatever_the_number_of_clinicians(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0

    def sitemap_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/sitemap.xml").status_code == 200
        return [query["sql"] for query in captured]

    for n in range(3):
        make_clinician(slug=f"clinician-{n}")
    sitemap_queries()  # the Site and the content types, cached once per process
    few = sitemap_queries()
    for n in range(3, 30):
        make_clinician(slug=f"clinician-{n}")
    many = sitemap_queries()
    assert len(many) == len(few)
    # The team page's one aggregate; the profiles counted (for the sitemap's pages), then
    # read once for both languages.
    assert len([sql for sql in many if "team_clinician" in sql]) == 3


def test_an_edited_clinician_shows_at_once_on_cached_pages(client):
    clinician = make_clinician()
    assert client.get("/team/")["X-Cache"] == "miss"
    assert client.get("/team/somchai-jaidee/")["X-Cache"] == "miss"
    assert client.get("/team/")["X-Cache"] == "hit"
    clinician.title = "Head of regenerative medicine"
    clinician.save()
    for url in ("/team/", "/team/somchai-jaidee/"):
        response = client.get(url)
        assert response["X-Cache"] == "miss", url
        assert "Head of regenerative medicine" in html(response), url


def test_a_hidden_or_deleted_clinician_leaves_cached_pages_at_once(client):
    clinician = make_clinician()
    other = make_clinician(name="Dr Malee Srisuk", slug="malee-srisuk")
    client.get("/team/")
    client.get("/team/somchai-jaidee/")
    clinician.is_public = False
    clinician.save()
    assert "Somchai" not in html(Client().get("/team/"))
    assert client.get("/team/somchai-jaidee/").status_code == 404
    client.get("/team/")
    Clinician.objects.filter(pk=other.pk).delete()
    assert "Malee" not in html(client.get("/team/"))


def test_a_profile_lists_the_published_articles_the_clinician_approved(client, django_user_model):
    from django.contrib.auth.models import Group

    from articles import publishing
    from articles.roles import MEDICAL_REVIEWERS
    from tests.articles.factories import make_article, publish

    reviewer = django_user_model.objects.create_user("reviewer", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=MEDICAL_REVIEWERS))
    clinician = make_clinician(is_public=True, user=reviewer)
    approved = make_article(title="Approved by the doctor", slug="approved")
    version = publishing.record_version(approved)
    publishing.submit(version, reviewer)
    publishing.approve(version, reviewer)
    publishing.publish(version, reviewer)
    publish(make_article(title="Awaiting review", slug="awaiting"))
    draft = make_article(title="Approved, not published", slug="draft")
    version = publishing.record_version(draft)
    publishing.submit(version, reviewer)
    publishing.approve(version, reviewer)

    html = client.get(clinician.get_absolute_url()).content.decode()

    assert "Articles reviewed by" in html
    assert "Approved by the doctor" in html
    assert "Awaiting review" not in html
    assert "Approved, not published" not in html
