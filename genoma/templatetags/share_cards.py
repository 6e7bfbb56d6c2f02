"""`{% load share_cards %}{% share_card_meta %}`: the picture a shared link shows.

Open Graph and Twitter card tags for the page's `share_card` (a page of the medical
content: its published title's card, articles/cards.py), else the site's default card
in the page's language. Absolute addresses, as the networks that read them need.
"""

from django import template
from django.utils.html import format_html

from articles.cards import default_card

register = template.Library()

TAGS = (
    '<meta property="og:image" content="{url}">\n'
    '<meta property="og:image:type" content="{type}">\n'
    '<meta property="og:image:width" content="{width}">\n'
    '<meta property="og:image:height" content="{height}">\n'
    '<meta property="og:image:alt" content="{alt}">\n'
    '<meta name="twitter:card" content="summary_large_image">\n'
    '<meta name="twitter:image" content="{url}">\n'
    '<meta name="twitter:image:alt" content="{alt}">'
)


@register.simple_tag(takes_context=True)
def share_card_meta(context):
    card = context.get("share_card") or default_card(context.get("request"))
    if not card:
        return ""  # a page rendered without its request (the 500 page)
    return format_html(TAGS, **card)
