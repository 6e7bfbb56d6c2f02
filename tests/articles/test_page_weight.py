"""The weight budget: an article's first load stays small on a slow phone connection."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders

FIRST_LOAD_BUDGET = 30 * 1024  # HTML, CSS, JavaScript and fonts, gzipped; images excluded
HTML_BUDGET = 25 * 1024


def gzipped_size(data):
    return len(gzip.compress(data, compresslevel=9))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slug_part", ["osteoporosis-and", "understanding-osteopenia", "breakthroughs"]
)
def test_article_first_load_is_within_the_weight_budget(client, clinic_content, slug_part):
    from articles.models import Article

    url = Article.objects.get(slug__startswith=slug_part).get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200  # the published seed post, not a small 404 page
    html = response.content
    assert len(html) <= HTML_BUDGET
    assets = re.findall(rb'<(?:link[^>]+href|script[^>]+src)="/static/([^"]+)"', html)
    assert assets, "the page links its stylesheet"
    total = gzipped_size(html)
    for asset in assets:
        name = asset.decode()
        if name.endswith((".svg", ".png", ".jpg", ".webp", ".ico")):
            continue  # images are not part of this budget
        path = finders.find(name)
        assert path, name
        with open(path, "rb") as file:
            total += gzipped_size(file.read())
    assert total <= FIRST_LOAD_BUDGET, f"{total} bytes gzipped"
