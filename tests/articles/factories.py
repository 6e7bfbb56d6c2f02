"""model_bakery recipes with readable defaults."""

import io
from datetime import timedelta

from django.utils import timezone
from model_bakery import baker
from PIL import Image

from articles.models import ArticleSection
from articles.publishing import publish_unreviewed, record_version


def publish(*records):
    """Publish each record as it stands now, as the seed loader does: without a clinician's
    approval (the public page says "Awaiting medical review"). Tests that are about
    approval use the workflow itself (articles.publishing or the admin buttons)."""
    for record in records:
        publish_unreviewed(record)
    return records[0] if len(records) == 1 else records


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
