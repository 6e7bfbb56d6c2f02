"""Addresses that never break: the clinic's old addresses, moved pages, redirects in admin."""

import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article
from articles.redirects import record_move
from tests.articles.factories import make_article, publish

pytestmark = pytest.mark.django_db

OSTEOPOROSIS_POST = "/articles/osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health/"
OSTEOPENIA_POST = "/articles/understanding-osteopenia-and-how-stem-cell-therapy-may-offer-new-hope/"
OLD_ADDRESSES = {
    "/osteoporosis": OSTEOPOROSIS_POST,
    "/osteoporosis/": OSTEOPOROSIS_POST,
    "/osteopenia": OSTEOPENIA_POST,
    "/osteopenia/": OSTEOPENIA_POST,
}


def load(*args):
    out = io.StringIO()
    call_command("load_clinic_content", *args, stdout=out)
    return out.getvalue()


def redirects():
    return set(Redirect.objects.values_list("site_id", "old_path", "new_path"))


def live_article(slug):
    return publish(make_article(slug=slug))


def move(article, slug):
    """What publishing a new slug does: the page moves, its old address is recorded."""
    old_path = article.get_absolute_url()
    article.slug = slug
    article.save()
    publish(article)
    return record_move(old_path, article.get_absolute_url())


# The sites framework: one Site, at the site's own address.


def test_migrate_leaves_the_current_site_at_the_sites_own_address(settings):
    settings.SITE_URL = "https://genoma.example"
    call_command("migrate", verbosity=0)
    site = Site.objects.get_current()
    assert site.pk == settings.SITE_ID == 1
    assert site.domain == "genoma.example"


def test_sitemap_feed_and_view_on_site_link_to_the_sites_address_not_example_com(
    settings, client, admin_client, clinic_content
):
    settings.SITE_URL = "https://genoma.example"
    call_command("migrate", verbosity=0)
    sitemap = client.get("/sitemap.xml").content.decode()
    feed = client.get("/feed/").content.decode()
    assert f"<loc>http://genoma.example{OSTEOPOROSIS_POST}</loc>" in sitemap
    assert f'href="http://genoma.example{OSTEOPOROSIS_POST}"' in feed
    assert "example.com" not in sitemap + feed
    article = Article.objects.get(slug=OSTEOPOROSIS_POST.split("/")[2])
    content_type = ContentType.objects.get_for_model(Article)
    view_on_site = admin_client.get(
        reverse("admin:view_on_site", args=[content_type.pk, article.pk])
    )
    assert view_on_site["Location"] == f"http://genoma.example{OSTEOPOROSIS_POST}"


# The clinic's old addresses, shipped with the seed content.


@pytest.mark.parametrize("old_address", sorted(OLD_ADDRESSES))
def test_the_clinics_old_addresses_answer_301_with_their_post(client, clinic_content, old_address):
    response = client.get(old_address)
    assert response.status_code == 301
    assert response["Location"] == OLD_ADDRESSES[old_address]
    assert client.get(response["Location"]).status_code == 200


def test_the_old_addresses_are_rows_of_the_current_site_in_admin(clinic_content):
    site = Site.objects.get_current()
    assert redirects() == {(site.pk, old, new) for old, new in OLD_ADDRESSES.items()}


def test_a_second_load_changes_no_redirect(clinic_content):
    before = redirects()
    output = load()
    assert redirects() == before
    assert "created" not in output
    assert "updated" not in output


def test_a_redirect_staff_changed_is_kept_on_reload_and_reset_restores_it(clinic_content):
    Redirect.objects.filter(old_path="/osteopenia").update(new_path="/conditions/osteopenia/")
    output = load()
    assert "1 kept (edited by staff)" in output
    assert Redirect.objects.get(old_path="/osteopenia").new_path == "/conditions/osteopenia/"
    load("--reset")
    assert Redirect.objects.get(old_path="/osteopenia").new_path == OSTEOPENIA_POST


def test_a_deleted_old_address_comes_back_on_reload(clinic_content):
    Redirect.objects.filter(old_path="/osteoporosis").delete()
    load()
    assert Redirect.objects.get(old_path="/osteoporosis").new_path == OSTEOPOROSIS_POST


# The fallback middleware beside the page cache, CommonMiddleware and the health check.


def test_a_301_is_never_stored_in_the_page_cache(client, clinic_content):
    assert client.get("/osteoporosis").status_code == 301
    Redirect.objects.filter(old_path__startswith="/osteoporosis").delete()
    assert client.get("/osteoporosis").status_code == 404


def test_a_live_page_wins_over_a_redirect_from_its_address(client, clinic_content):
    Redirect.objects.create(site_id=1, old_path=OSTEOPENIA_POST, new_path="/")
    assert client.get(OSTEOPENIA_POST).status_code == 200


def test_the_health_check_is_never_redirected(client):
    for old_path in ("/healthz", "/healthz/"):
        Redirect.objects.create(site_id=1, old_path=old_path, new_path="/")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_an_old_address_without_its_trailing_slash_is_one_hop(client):
    article = live_article("bone-basics")
    move(article, "bone-health-basics")
    response = client.get("/articles/bone-basics")  # CommonMiddleware would add the slash first
    assert response.status_code == 301
    assert response["Location"] == "/articles/bone-health-basics/"


# record_move: a published page's address changes.


def test_a_moved_page_answers_at_its_old_address_with_a_301(client):
    article = live_article("bone-basics")
    redirect = move(article, "bone-health-basics")
    assert (redirect.site, redirect.old_path) == (
        Site.objects.get_current(),
        "/articles/bone-basics/",
    )
    response = client.get("/articles/bone-basics/", follow=True)
    assert response.redirect_chain == [("/articles/bone-health-basics/", 301)]
    assert response.status_code == 200


def test_two_moves_in_a_row_leave_every_old_address_one_hop_away(client):
    article = live_article("first")
    move(article, "second")
    move(article, "third")
    assert redirects() == {
        (1, "/articles/first/", "/articles/third/"),
        (1, "/articles/second/", "/articles/third/"),
    }
    for old in ("/articles/first/", "/articles/second/"):
        response = client.get(old, follow=True)
        assert response.redirect_chain == [("/articles/third/", 301)], old
        assert response.status_code == 200


def test_moving_back_makes_the_address_live_again_without_a_loop(client):
    article = live_article("first")
    move(article, "second")
    move(article, "first")
    assert redirects() == {(1, "/articles/second/", "/articles/first/")}
    assert client.get("/articles/first/").status_code == 200
    response = client.get("/articles/second/", follow=True)
    assert response.redirect_chain == [("/articles/first/", 301)]


def test_a_round_of_three_moves_never_loops(client):
    article = live_article("a")
    for slug in ("b", "c", "a"):
        move(article, slug)
    assert redirects() == {(1, "/articles/b/", "/articles/a/"), (1, "/articles/c/", "/articles/a/")}
    assert client.get("/articles/a/").status_code == 200


def test_a_staff_redirect_to_the_old_address_follows_the_move(client):
    article = live_article("first")
    Redirect.objects.create(site_id=1, old_path="/bones", new_path="/articles/first/")
    move(article, "second")
    assert client.get("/bones")["Location"] == "/articles/second/"


def test_a_move_to_the_same_address_records_nothing():
    assert record_move("/articles/same/", "/articles/same/") is None
    assert redirects() == set()


def test_an_address_too_long_to_store_is_not_recorded_and_nothing_else_changes():
    Redirect.objects.create(site_id=1, old_path="/bones", new_path="/articles/first/")
    long_path = f"/articles/{'a' * 200}/"
    assert record_move("/articles/first/", long_path) is None
    assert record_move(long_path, "/articles/first/") is None
    assert redirects() == {(1, "/bones", "/articles/first/")}


# Editors keep the redirects in admin.


def test_editors_may_add_change_delete_and_view_redirects():
    codenames = set(
        Group.objects.get(name="Editors")
        .permissions.filter(content_type__app_label="redirects")
        .values_list("codename", flat=True)
    )
    assert codenames == {"add_redirect", "change_redirect", "delete_redirect", "view_redirect"}


def test_an_editor_adds_a_redirect_in_admin_and_it_answers(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:redirects_redirect_changelist")).status_code == 200
    response = client.post(
        reverse("admin:redirects_redirect_add"),
        {"site": 1, "old_path": "/stem-cells", "new_path": "/treatments/msc-therapy/"},
    )
    assert response.status_code == 302
    assert client.get("/stem-cells")["Location"] == "/treatments/msc-therapy/"
    redirect = Redirect.objects.get(old_path="/stem-cells")
    change = reverse("admin:redirects_redirect_change", args=[redirect.pk])
    assert client.get(change).status_code == 200
    client.post(reverse("admin:redirects_redirect_delete", args=[redirect.pk]), {"post": "yes"})
    assert not Redirect.objects.exists()


def test_clinic_staff_do_not_edit_redirects(clinic_staff_client):
    url = reverse("admin:redirects_redirect_add")
    assert clinic_staff_client.get(url).status_code == 403
