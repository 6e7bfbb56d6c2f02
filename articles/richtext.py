"""Rich text: a CKEditor 5 field whose HTML is sanitized with nh3 on every write."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_ckeditor_5.fields import CKEditor5Field

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "figure",
    "figcaption",
    "img",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# An <img> none of whose attributes is src. nh3 writes every attribute as name="value"
# and escapes quotes and angle brackets inside values, so this reads its output exactly.
IMG_WITHOUT_SRC = re.compile(r'<img(?:\s(?!src=)[^\s=>]+="[^"]*")*>')


def is_own_media(url):
    """Whether `url` is one of the site's uploaded files, the only images the CSP lets in.

    MEDIA_URL is a path on this site ("/media/") or, with media elsewhere, an absolute
    URL whose origin the CSP allows.
    """
    media = urlsplit(settings.MEDIA_URL)
    target = urlsplit(url.strip())
    if not media.netloc:
        return not target.scheme and not target.netloc and target.path.startswith(media.path)
    return (target.scheme, target.netloc) == (media.scheme, media.netloc)


def _keep_own_images(tag, attribute, value):
    if tag == "img" and attribute == "src" and not is_own_media(value):
        return None
    return value


def sanitize_html(value):
    """Return `value` reduced to the allow-list: no scripts, handlers, styles or foreign URLs.

    Links may point anywhere; images only to the site's own media (an image from
    elsewhere would be blocked by the CSP, or track readers). An image whose source
    is dropped goes entirely: an <img> without src is not valid HTML.
    """
    if not value:
        return ""
    cleaned = nh3.clean(
        str(value),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        # Images in the text sit below the hero image: load them as the reader scrolls.
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
        strip_comments=True,
        attribute_filter=_keep_own_images,
    )
    return IMG_WITHOUT_SRC.sub("", cleaned).strip()


class _Images(HTMLParser):
    """The attributes of every <img> in a piece of HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def _images(html):
    parser = _Images()
    parser.feed(html)
    parser.close()
    return parser.images


def validate_images_are_own_media(value):
    """Say which images the sanitizer would drop, rather than drop them unseen."""
    foreign = [image.get("src") or "" for image in _images(str(value or ""))]
    foreign = [src for src in foreign if not is_own_media(src)]
    if foreign:
        raise ValidationError(
            _(
                "Images must be uploaded with the editor's image button: an image from "
                "another address is not shown on the site. Remove or upload again: %(sources)s"
            )
            % {
                "sources": ", ".join(
                    src[:100] or _("(an image without an address)") for src in foreign
                )
            },
            code="foreign_image",
        )


def validate_image_alts(value):
    """Refuse an image without a text alternative: readers who cannot see it get nothing."""
    images = _images(sanitize_html(value))  # the images that would be stored
    if any(not (image.get("alt") or "").strip() for image in images):
        raise ValidationError(
            _(
                "Every image needs a text alternative for readers who cannot see it: select "
                "the image and use the “Change image text alternative” button."
            ),
            code="image_without_alt",
        )


class RichTextField(CKEditor5Field):
    """CKEditor 5 in admin; sanitized HTML in the database, whatever wrote it.

    `pre_save` covers `save()` and `bulk_create()`, `get_prep_value` also covers
    `QuerySet.update()` and lookups, so no write path can store unsafe markup.
    Every form (admin, inlines) also refuses images from elsewhere and images
    without a text alternative, with a message, instead of dropping them unseen.
    """

    default_validators = [validate_images_are_own_media, validate_image_alts]

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        return super().get_prep_value(sanitize_html(value))
