"""model_bakery recipes with readable defaults."""

import io
import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from model_bakery import baker
from PIL import Image

from articles.models import ArticleSection
from articles.publishing import publish_unreviewed, record_version


def save_committed(record):
    """Save `record` and commit, as a request does: the jobs queued on commit run (the
    renditions of a new hero image are made by one)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        record.save()
    record.refresh_from_db()
    return record


def publish(*records):
    """Publish each record as it stands now, as the seed loader does: without a clinician's
    approval (the public page says "Awaiting medical review"). Tests that are about
    approval use the workflow itself (articles.publishing or the admin buttons)."""
    for record in records:
        publish_unreviewed(record)
    return records[0] if len(records) == 1 else records


def publish_thai(record, **words):
    """Write `words` into the Thai columns of `record` and publish its Thai version as it
    stands (the review workflow itself is tested in test_translations.py and through admin)."""
    for name, value in words.items():
        setattr(record, f"{name}_th", value)
    record.save()
    return publish_in_thai(record)


def publish_in_thai(record):
    from articles.publishing import _go_live

    version = record_version(record, language="th")
    _go_live(version, None)
    return version


def save_version(record, user=None, note=""):
    """Record the working copy of `record` as a version, as a save in admin does."""
    return record_version(record, user, note)


def make_condition(**fields):
    defaults = {
        "name": "Osteopenia",
        "slug": "osteopenia",
        "summary": "Bone density below normal.",
        "overview": "<p>Overview.</p>",
    }
    return baker.make("articles.Condition", **{**defaults, **fields})


def make_treatment(**fields):
    defaults = {
        "kind": "regenerative",
        "evidence_status": "experimental",
        "summary": "A therapy under study.",
    }
    return baker.make("articles.Treatment", **{**defaults, **fields})


def make_article(**fields):
    defaults = {
        "title": "Bones and you",
        "standfirst": "What to know.",
        "meta_description": "What to know about bones.",
        "publish_at": timezone.now() - timedelta(days=1),
    }
    return baker.make("articles.Article", **{**defaults, **fields})


def make_section(article, **fields):
    defaults = {"kind": ArticleSection.Kind.TEXT, "heading": "A section", "body": "<p>Text.</p>"}
    return baker.make("articles.ArticleSection", article=article, **{**defaults, **fields})


def article_form(article, **changes):
    """The admin change form of `article` as a browser posts it, with `changes`.

    Sections and references are posted as none, unless `changes` gives them.
    """
    return {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "publish_at_0": "2026-01-01",
        "publish_at_1": "10:00:00",
        "author_name": article.author_name,
        "meta_description": article.meta_description,
        "hero_alt": article.hero_alt,
        "sections-TOTAL_FORMS": "0",
        "sections-INITIAL_FORMS": "0",
        "references-TOTAL_FORMS": "0",
        "references-INITIAL_FORMS": "0",
        **changes,
    }


def image_bytes(fmt="JPEG", size=(640, 480), exif=False):
    image = Image.new("RGB", size, (200, 120, 40))
    buffer = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCamera"  # Make
        data[0x8825] = {1: "N", 2: (13.0, 45.0, 0.0)}  # GPS
        kwargs["exif"] = data
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


# The review workflow from the outside: staff accounts in the real groups, and the admin
# change form of a record as a browser would post it.


def make_staff(username, group=None):
    """A staff account, in `group` ("Editors", "Medical reviewers", "Clinic staff") if
    given; the groups themselves are made by `migrate`."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username=username, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_reviewer(username="reviewer", linked=True, **clinician):
    """A member of the Medical reviewers group, linked to a clinician unless `linked` is
    False (`clinician`: the clinician's fields, as for make_clinician)."""
    from tests.team.factories import make_clinician

    user = make_staff(username, "Medical reviewers")
    if linked:
        make_clinician(user=user, **clinician)
    return user


def signed_in(user):
    """A browser signed in to admin as `user`."""
    from django.test import Client

    from tests.conftest import sign_in

    return sign_in(Client(), user)


class _FormReader(HTMLParser):
    """The values a browser sends for the form with id `form_id`."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, []
        self._text = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "__prefix__" in (attrs.get("name") or ""):
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio"):
                self.values.append((name, attrs.get("value") or ""))
            elif "checked" in attrs:
                self.values.append((name, attrs.get("value") or "on"))
        elif tag == "textarea" and name:
            self._text = [name, ""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._text is not None:
            self._text[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._text is not None:
            self.values.append((self._text[0], self._text[1].removeprefix("\n")))
            self._text = None
        elif tag == "select":
            self._select = None


def admin_form(browser, record, **changes):
    """The admin change form of `record` as `browser` reads it and would post it back,
    inline rows included, with `changes` (a value of None leaves the field out)."""
    meta = record._meta
    response = browser.get(change_url(record))
    assert response.status_code == 200
    reader = _FormReader(f"{meta.model_name}_form")
    reader.feed(response.content.decode())
    form = {}
    for name, value in reader.values:
        if name in form:
            form[name] = (
                [*form[name], value] if isinstance(form[name], list) else [form[name], value]
            )
        else:
            form[name] = value
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def change_url(record):
    meta = record._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])


def move(browser, record, button, **fields):
    """Press the workflow `button` (`_submit_for_review`, `_approve`…) on `record`'s change
    page as `browser` does, and follow the redirect. What the move commits runs, as after
    a real request: the signal that retires cached public pages."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return browser.post(change_url(record), {button: "1", **fields}, follow=True)


def messages_of(response):
    """The messages shown on the admin page `response`."""
    return [str(message) for message in response.context["messages"]]


def public(url):
    """`url` as an anonymous visitor gets it (through the public page cache)."""
    from django.test import Client

    return Client().get(url)


BLOCK_TAG = re.compile(
    r"</?(p|li|ul|ol|h\d|div|section|header|td|th|tr|dt|dd|br|title|script)\b[^>]*>"
)


def text_of(response):
    """The page's words as a reader sees them: tags dropped (a block's end is a space),
    spaces collapsed."""
    page = BLOCK_TAG.sub(" ", response.content.decode())
    return " ".join(unescape(re.sub(r"<[^>]+>", "", page)).split())


def versions_of(record):
    from articles.models import Version

    return Version.objects.of_record(record).order_by("number")
