"""model_bakery recipes with readable defaults."""

from datetime import timedelta

from django.utils import timezone
from model_bakery import baker

from articles.models import Article, ArticleSection


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
        "status": Article.Status.PUBLISHED,
        "publish_at": timezone.now() - timedelta(days=1),
    }
    return baker.make("articles.Article", **{**defaults, **fields})


def make_section(article, **fields):
    defaults = {"kind": ArticleSection.Kind.TEXT, "heading": "A section", "body": "<p>Text.</p>"}
    return baker.make("articles.ArticleSection", article=article, **{**defaults, **fields})
