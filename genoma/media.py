"""Uploaded files that nothing shows any more, found and deleted (`manage.py purge_media`).

Replaced and removed images leave storage when their change is committed; what is left
behind is an editor's upload taken out of the text before it was ever saved, or a file
whose deletion failed. A file is kept while any record or any version of the content
refers to it (a version can be restored), and for a day after its upload (an editor
may be writing the text that will show it).
"""

import json
import re
from datetime import timedelta
from pathlib import PurePosixPath

from django.apps import apps
from django.core.files.storage import default_storage
from django.utils import timezone

from articles.cards import FOLDER as CARD_FOLDER
from articles.images import rendition_files
from articles.richtext import RichTextField

# Uploads, and the share cards the site draws (a card whose deletion failed is left).
UPLOAD_FOLDERS = ("articles/hero", "articles/editor", "team", CARD_FOLDER)
GRACE = timedelta(days=1)
_FOLDERS = "|".join(re.escape(folder) for folder in UPLOAD_FOLDERS)
STORED_NAME = re.compile(rf"(?:{_FOLDERS})/[A-Za-z0-9_./-]+")


def stored_files(storage=default_storage, folder=""):
    """Every file under `folder`, walked with the storage's own listing (a folder on
    disk, prefixes on S3)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a folder nothing was ever uploaded to
        return
    for name in files:
        yield str(PurePosixPath(folder, name))
    for sub in folders:
        yield from stored_files(storage, str(PurePosixPath(folder, sub)))


def _texts_that_name_files():
    """Every version of the content as text, and the rich text of every record."""
    from articles.models import Version

    for data in Version.objects.values_list("data", flat=True).iterator():
        yield json.dumps(data)
    for model in apps.get_models():
        rich = [f.name for f in model._meta.concrete_fields if isinstance(f, RichTextField)]
        if rich:
            for values in model._default_manager.values_list(*rich).iterator():
                yield from values


def referenced_files():
    """Names of the stored files that a record or a version of the content refers to."""
    from articles.models import Article, ShareCard
    from team.models import Clinician

    names = {name for text in _texts_that_name_files() for name in STORED_NAME.findall(text or "")}
    for name, renditions in Article.objects.values_list("hero_image", "hero_renditions"):
        names |= {name, *rendition_files(renditions)}
    names |= set(Clinician.objects.values_list("photo", flat=True))
    names |= set(ShareCard.objects.values_list("image", flat=True))
    return names - {""}


def unused_files(storage=default_storage, grace=GRACE):
    """Files in the upload folders that nothing refers to, uploaded more than `grace` ago."""
    uploaded_before = timezone.now() - grace
    referenced = referenced_files()
    for folder in UPLOAD_FOLDERS:
        for name in stored_files(storage, folder):
            if name not in referenced and storage.get_modified_time(name) < uploaded_before:
                yield name


def purge_unused_files(storage=default_storage, grace=GRACE, dry_run=False):
    """Delete the unused files; return their names."""
    unused = sorted(unused_files(storage, grace))
    if not dry_run:
        for name in unused:
            storage.delete(name)
    return unused
