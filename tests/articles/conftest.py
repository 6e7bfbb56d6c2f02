"""Fixtures the review workflow's tests share (in English and in Thai)."""

import pytest

from tests.articles.factories import make_article, make_reviewer, make_section, publish


@pytest.fixture
def reviewer(db):
    """A Medical reviewer linked to Dr Somchai Jaidee, MD, FRCOST, shown publicly."""
    return make_reviewer()


@pytest.fixture
def live_article(db):
    """An article published as it stands, without medical review (as the seed posts are)."""
    article = make_article(slug="bones", title="Bones and you", standfirst="What to know.")
    make_section(article, heading="Calcium", body="<p>Eat greens every day.</p>")
    return publish(article)
