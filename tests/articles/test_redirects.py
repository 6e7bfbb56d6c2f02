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
from tests.articles.factories import make_article, publish, save_version
from tests.conftest import sign_in

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
    """A new slug saved and published."""
    article.slug = slug
    article.save()
    publish(article)


def superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")


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


def test_the_health_check_is_never_redirected(client, worker_alive):
    for old_path in ("/healthz", "/healthz/"):
        Redirect.objects.create(site_id=1, old_path=old_path, new_path="/")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_an_old_address_without_its_trailing_slash_leads_to_the_new_page(client):
    article = live_article("bone-basics")
    move(article, "bone-health-basics")
    response = client.get("/articles/bone-basics", follow=True)
    assert response.redirect_chain[-1] == ("/articles/bone-health-basics/", 301)
    assert response.status_code == 200


# A published page's address changes: every address it was published at answers 301
# with the current one (read from its versions, so nothing to keep in step).


def test_a_moved_page_answers_at_its_old_address_with_a_301(client):
    article = live_article("bone-basics")
    move(article, "bone-health-basics")
    response = client.get("/articles/bone-basics/", follow=True)
    assert response.redirect_chain == [("/articles/bone-health-basics/", 301)]
    assert response.status_code == 200


def test_two_moves_in_a_row_leave_every_old_address_one_hop_away(client):
    article = live_article("first")
    move(article, "second")
    move(article, "third")
    for old in ("/articles/first/", "/articles/second/"):
        response = client.get(old, follow=True)
        assert response.redirect_chain == [("/articles/third/", 301)], old
        assert response.status_code == 200


def test_moving_back_makes_the_address_live_again_without_a_loop(client):
    article = live_article("first")
    move(article, "second")
    move(article, "first")
    assert client.get("/articles/first/").status_code == 200
    response = client.get("/articles/second/", follow=True)
    assert response.redirect_chain == [("/articles/first/", 301)]


def test_a_round_of_three_moves_never_loops(client):
    article = live_article("a")
    for slug in ("b", "c", "a"):
        move(article, slug)
    assert client.get("/articles/a/").status_code == 200
    for old in ("/articles/b/", "/articles/c/"):
        assert client.get(old, follow=True).redirect_chain == [("/articles/a/", 301)]


def test_an_address_saved_but_never_published_is_not_redirected(client):
    article = live_article("first")
    article.slug = "draft-address"
    article.save()
    save_version(article)
    assert client.get("/articles/draft-address/").status_code == 404
    assert client.get("/articles/first/").status_code == 200


def test_a_withdrawn_page_does_not_redirect_anywhere(client):
    from articles.publishing import unpublish

    article = live_article("first")
    move(article, "second")
    unpublish(article, superuser())
    assert client.get("/articles/first/").status_code == 404
    assert client.get("/articles/second/").status_code == 404


# Editors keep the redirects in admin.


def test_editors_may_add_change_delete_and_view_redirects():
    codenames = set(
        Group.objects.get(name="Editors")
        .permissions.filter(content_type__app_label="redirects")
        .values_list("codename", flat=True)
    )
    assert codenames == {"add_redirect", "change_redirect", "delete_redirect", "view_redirect"}


def test_an_editor_adds_a_redirect_in_admin_and_it_answers(client, editor):
    sign_in(client, editor)
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
