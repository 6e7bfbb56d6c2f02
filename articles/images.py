"""Image uploads: verified with Pillow, re-encoded without metadata, renamed at random.

Every image that reaches storage (an editor upload, a hero image) goes through
`clean_uploaded_image`; hero images also get resized renditions for `srcset`, and
leave storage when no article shows them any more (`discard_hero_files`).
"""

import io
import uuid
import warnings
from itertools import chain
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 megapixels: far above any camera photo staff would use
MIN_SIDE = 16
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
RENDITION_WIDTHS = (480, 960, 1600)


def clean_uploaded_image(uploaded, folder):
    """Return a ContentFile of the re-encoded image under a random name in `folder`.

    Raises ValidationError with a message for staff when the file is not an
    acceptable image (not an image, wrong format, too large, a decompression bomb).
    """
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The image is larger than 10 MB. Please upload a smaller file."))
    uploaded.seek(0)
    data = uploaded.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The image is larger than 10 MB. Please upload a smaller file."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                width, height = probe.size
                if image_format not in ALLOWED_FORMATS:
                    raise ValidationError(_("Upload a JPEG, PNG or WebP image."))
                if width * height > MAX_PIXELS:
                    raise ValidationError(
                        _("The image has too many pixels (at most 40 megapixels).")
                    )
                if min(width, height) < MIN_SIDE:
                    raise ValidationError(_("The image is too small."))
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                encoded = _encode(image, image_format)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(_("The image has too many pixels (at most 40 megapixels).")) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ValidationError(_("The file is not a valid image.")) from exc
    name = f"{folder.rstrip('/')}/{uuid.uuid4().hex}.{ALLOWED_FORMATS[image_format]}"
    cleaned = ContentFile(encoded, name=name)
    cleaned.already_cleaned = True
    return cleaned


def _pixels_only(image):
    """A copy of `image` without its metadata.

    Pillow writes some of what `info` holds (a JPEG comment, an ICC profile, DPI…)
    into what it saves; only a palette image's transparent colour is kept, which is
    part of the picture.
    """
    clean = image.copy()
    clean.info = {key: value for key, value in image.info.items() if key == "transparency"}
    return clean


def _encode(image, image_format):
    """Re-encode pixels only: EXIF, GPS, XMP, ICC, comments, text chunks and any
    trailing payload are dropped."""
    image = _pixels_only(image)
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    elif image_format == "PNG":
        if image.mode not in {"RGB", "RGBA", "L", "LA", "P"}:
            image = image.convert("RGBA")
        image.save(buffer, "PNG", optimize=True)
    else:
        if image.mode not in {"RGB", "RGBA"}:
            image = image.convert("RGBA")
        image.save(buffer, "WEBP", quality=82)
    return buffer.getvalue()


def make_renditions(name, storage=default_storage):
    """Write WebP and JPEG renditions of the stored image `name`; return their descriptions."""
    stem = PurePosixPath(name)
    folder = stem.parent / "renditions"
    renditions = []
    with storage.open(name, "rb") as source, Image.open(source) as image:
        image.load()
        flat = _pixels_only(image.convert("RGB"))
        widths = sorted(
            {w for w in RENDITION_WIDTHS if w < flat.width}
            | {min(flat.width, RENDITION_WIDTHS[-1])}
        )
        for width in widths:
            height = round(flat.height * width / flat.width)
            resized = flat.resize((width, height), Image.Resampling.LANCZOS)
            entry = {"width": width, "height": height}
            for fmt, ext in (("WEBP", "webp"), ("JPEG", "jpg")):
                buffer = io.BytesIO()
                resized.save(buffer, fmt, quality=80, optimize=fmt == "JPEG")
                stored = storage.save(
                    str(folder / f"{stem.stem}-{width}.{ext}"), ContentFile(buffer.getvalue())
                )
                entry[ext] = stored
            renditions.append(entry)
    return {"source": name, "sizes": renditions}


def rendition_files(renditions):
    """The stored names of the files `make_renditions` described."""
    sizes = (renditions or {}).get("sizes", [])
    return [size[ext] for size in sizes for ext in ("webp", "jpg") if ext in size]


def discard_hero_files(name, renditions, using=None):
    """Delete the hero image `name` and its renditions once the change is committed.

    A rolled-back change deletes nothing; files that another article shows, or that a
    version of any article holds (the published one, one to restore), are kept.
    """
    if not name:
        return
    from articles.models import Article, Version

    storage = Article._meta.get_field("hero_image").storage

    def delete_unused():
        still_shown = Article.objects.using(using).filter(hero_image=name)
        kept = set()
        for kept_renditions in still_shown.values_list("hero_renditions", flat=True):
            kept |= {name, *rendition_files(kept_renditions)}
        versions = Version.objects.using(using).of(Article).filter(data__fields__hero_image=name)
        for fields in versions.values_list("data__fields", flat=True):
            kept |= {name, *rendition_files(fields.get("hero_renditions"))}
        for file in {name, *rendition_files(renditions)} - kept:
            storage.delete(file)

    # robust: the change is saved; a file that cannot be deleted is logged, not a 500.
    transaction.on_commit(delete_unused, using=using, robust=True)


def discard_deleted_hero(sender, instance, using, **kwargs):
    """`post_delete` receiver for articles, also sent by admin's bulk delete."""
    discard_hero_files(instance.hero_image.name, instance.hero_renditions, using=using)


def refresh_hero_renditions(article, stored=None):
    """Clean a newly uploaded hero image; when the image changed, its renditions are made
    by a job once the change is committed (the page shows no hero image until then).

    `stored` is the (image, renditions) pair in the database: renditions a job gave the
    stored image are kept, whatever this copy of the article was loaded with.
    """
    field_file = article.hero_image
    if field_file and not getattr(field_file, "_committed", True):
        upload = field_file.file
        if not getattr(upload, "already_cleaned", False):
            upload = clean_uploaded_image(upload, "articles/hero")
        field_file.save(PurePosixPath(upload.name).name, upload, save=False)
    if stored and has_renditions(field_file.name, stored[1]):
        article.hero_renditions = stored[1]
    if not field_file:
        article.hero_renditions = {}
    elif not has_renditions(field_file.name, article.hero_renditions):
        from articles.tasks import make_hero_renditions

        article.hero_renditions = {}
        name = field_file.name
        transaction.on_commit(lambda: make_hero_renditions(name), using=article._state.db)


def has_renditions(name, renditions):
    return (renditions or {}).get("source") == name


def attach_renditions(name):
    """Make the renditions of the hero image `name` and give them to every article and
    version that shows it and has none yet; return how many records received them.

    A version taken before the job ran (submitted, approved) shows the same image: its
    renditions are resized copies of it, not content a reviewer reads.
    """
    from articles.models import Article, Version
    from articles.signals import content_published

    storage = Article._meta.get_field("hero_image").storage
    showing = Article.objects.filter(hero_image=name)
    without = [
        pk
        for pk, kept in showing.values_list("pk", "hero_renditions")
        if not has_renditions(name, kept)
    ]
    versions = Version.objects.of(Article).filter(data__fields__hero_image=name)
    if not without and not versions.exists():
        return 0  # replaced or deleted before the job ran
    renditions = make_renditions(name, storage)
    with transaction.atomic():
        received = showing.filter(pk__in=without).update(hero_renditions=renditions)
        for version in versions.select_for_update():
            fields = version.data["fields"]
            if not has_renditions(name, fields.get("hero_renditions")):
                fields["hero_renditions"] = renditions
                version.save(update_fields=["data"])
                received += 1
        if received:
            transaction.on_commit(lambda: content_published.send(sender=Article, version=None))
    if not received:  # another job gave them theirs meanwhile: these copies are not used
        for file in rendition_files(renditions):
            storage.delete(file)
    return received


def missing_renditions():
    """Names of hero images that articles, or their versions the public reads or will
    read, show without renditions (a job lost with its worker, or still queued)."""
    from articles.models import Article, Version

    shown = Article.objects.exclude(hero_image="").values_list("hero_image", "hero_renditions")
    coming = Version.objects.of(Article).filter(
        Q(pk__in=Version.objects.live().values("pk"))
        | Q(state__in=[Version.State.SUBMITTED, Version.State.APPROVED])
    )
    in_versions = coming.values_list("data__fields__hero_image", "data__fields__hero_renditions")
    return {
        name
        for name, renditions in chain(shown, in_versions)
        if name and not has_renditions(name, renditions)
    }
