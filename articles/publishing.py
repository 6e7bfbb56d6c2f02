"""The editorial workflow: record, submit, approve or send back, publish, withdraw, restore.

A service module because each move spans models: the record and its parts, its
versions, the approving clinician and the signal that retires cached pages. Every
move checks who may make it here, so a button posted by hand is refused as surely
as a hidden one.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Publications, Version
from articles.richtext import RichTextField
from articles.search import visible_text
from articles.signals import content_published
from articles.translation import SOURCE, TRANSLATION
from articles.versioning import (
    has_words,
    missing_links,
    restore_snapshot,
    source_changed,
    take_snapshot,
    untranslated_texts,
)

TEXT_FIELDS = (models.CharField, models.TextField, RichTextField)
NOT_TEXT = (models.SlugField, models.URLField, models.FileField)


class WorkflowError(Exception):
    """A move that is not allowed now; the message says why, for staff."""


def latest_version(record, language=SOURCE):
    return Version.objects.of_record(record, language).order_by("-number").first()


def live_version(record, language=SOURCE):
    return Version.objects.of_record(record, language).live().first()


def record_versions(record, user=None, note=""):
    """Record what an admin save changed: the English working copy, and the translation's
    when it has one (a record nobody translated has English versions only); return the
    English version."""
    english = record_version(record, user, note)
    if has_words(type(record), take_snapshot(record, language=TRANSLATION)):
        record_version(record, user, note, language=TRANSLATION)
    return english


def record_version(record, user=None, note="", language=SOURCE):
    """Record the working copy of `record` in `language` as its next version; when nothing
    changed since the latest version, return that one instead. A translation remembers
    the English version it was made from."""
    document = take_snapshot(record, language=language)
    for _attempt in range(3):
        latest = latest_version(record, language)
        if latest is not None and latest.data == document:
            return latest
        version = Version(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            language=language,
            number=latest.number + 1 if latest else 1,
            source=_source_of(record, language, document, latest),
            data=document,
            change_note=note[:200],
            created_by=user,
            created_by_name=user.get_username() if user else "",
        )
        conditions, treatments = describe_version(version, type(record), document)
        try:
            with transaction.atomic():
                version.save()
                version.conditions.set(conditions)
                version.treatments.set(treatments)
        except IntegrityError:
            continue  # someone else recorded this number a moment ago: take the next
        return version
    raise WorkflowError(_("The content is being saved by someone else. Please try again."))


def _source_of(record, language, document, latest):
    """The English version a translation's `document` was made from: the English working
    copy when its words changed, else the one its previous version was made from (a
    change of shared fields, such as a slug or a new row, translates nothing)."""
    if language == SOURCE:
        return None
    same_words = latest is not None and not source_changed(type(record), latest.data, document)
    if same_words and latest.source is not None:
        return latest.source
    return latest_version(record)


def describe_version(version, model, document):
    """Fill the columns `version` is listed, linked and searched by from its `document`;
    return the ids of the conditions and the treatments it speaks of."""
    fields = document["fields"]
    version.title = fields[model.version_title_field]
    version.slug = fields["slug"]
    version.summary = fields.get(model.version_summary_field, "")
    if "publish_at" in fields:
        version.publish_at = model._meta.get_field("publish_at").to_python(fields["publish_at"])
    version.search_text = " ".join(_texts(model, document))
    return _links(document, "condition"), _links(document, "treatment")


def _texts(model, document):
    """The words of every text of the document, as a reader sees them."""
    rows = [(model, document["fields"])]
    for relation, part_rows in document["parts"].items():
        part_model = getattr(model, relation).rel.related_model
        rows.extend((part_model, row) for row in part_rows)
    for row_model, row in rows:
        for f in row_model._meta.concrete_fields:
            value = row.get(f.attname)
            is_text = isinstance(f, TEXT_FIELDS) and not isinstance(f, NOT_TEXT)
            if value and is_text and not f.choices:
                yield " ".join(visible_text(value).split())


def _links(document, name):
    """The conditions (or treatments) a document speaks of: its topics and the records its
    parts show (an article's blocks, a condition's treatments, a treatment's points)."""
    ids = set(document["topics"].get(f"{name}s", []))
    for part_rows in document["parts"].values():
        ids.update(row[f"{name}_id"] for row in part_rows if row.get(f"{name}_id"))
    return ids


def submit(version, user):
    _check_latest(version)
    if version.state not in (Version.State.DRAFT, Version.State.REJECTED):
        raise WorkflowError(
            _("Version %(number)s is already %(state)s.")
            % {"number": version.number, "state": version.get_state_display().lower()}
        )
    if version.source is not None:
        untranslated = untranslated_texts(version.model, version.source.data, version.data)
        if untranslated:
            raise WorkflowError(
                _(
                    "The translation is not complete, so it cannot be submitted: "
                    "%(texts)s have no translation."
                )
                % {"texts": ", ".join(untranslated)}
            )
    version.state = Version.State.SUBMITTED
    version.submitted_at = timezone.now()
    version.save(update_fields=["state", "submitted_at"])


def approve(version, user, comment="", next_review_due=None):
    """Approve `version` as the clinician linked to `user`."""
    clinician = _reviewing_clinician(user)
    _check_submitted(version)
    now = timezone.now()
    if next_review_due is not None and next_review_due <= timezone.localdate(now):
        raise WorkflowError(_("The next review must fall due after today."))
    version.state = Version.State.APPROVED
    version.approved_by = clinician
    version.reviewed_by = user
    version.reviewed_at = now
    version.review_comment = comment
    version.next_review_due = next_review_due or a_year_after(timezone.localdate(now))
    version.save()


def a_year_after(day):
    """The same day a year later (29 February: 28 February), when a review falls due."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def request_changes(version, user, comment):
    _reviewing_clinician(user)
    if not comment.strip():
        raise WorkflowError(_("Say what needs to change: a comment is required."))
    _check_submitted(version)
    version.state = Version.State.REJECTED
    version.reviewed_by = user
    version.reviewed_at = timezone.now()
    version.review_comment = comment
    version.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_comment"])


def publish(version, user):
    """Make the approved `version` live: at its publish time if that is still to come,
    now otherwise. The version live until then stays live until then."""
    if not user.has_perm("articles.publish_version"):
        raise WorkflowError(_("You may not publish medical content."))
    _check_latest(version)
    if not version.is_approved or version.state == Version.State.SUBMITTED:
        raise WorkflowError(
            _(
                "Version %(number)s has not been approved by a clinician, so it cannot be "
                "published. Submit it for review first."
            )
            % {"number": version.number}
        )
    _go_live(version, user)


def publish_unreviewed(record):
    """Publish the working copy of `record` as it stands, without a clinician's approval.

    Only for the clinic's own seed posts, published as they stand on its current site:
    their pages say "Awaiting medical review" until a clinician approves a version.
    """
    version = record_version(record, note=_("As published on the clinic's current site"))
    if not version.is_live:
        _go_live(version, None)
    return version


@transaction.atomic
def _go_live(version, user):
    now = timezone.now()
    start = version.publish_at if version.publish_at and version.publish_at > now else now
    others = Version.objects.filter(
        content_type_id=version.content_type_id,
        object_id=version.object_id,
        language=version.language,
    ).exclude(pk=version.pk)
    # A version scheduled for later gives way to this one; the live one stays live until
    # this one starts.
    _cancel(others.filter(live_from__gt=now))
    others.live().update(live_until=start)
    version.state = Version.State.PUBLISHED
    version.live_from = start
    version.live_until = None
    version.published_by = user
    version.save(update_fields=["state", "live_from", "live_until", "published_by"])
    Publications.count_one()
    transaction.on_commit(lambda: content_published.send(sender=version.model, version=version))


def unpublish(record, user, language=SOURCE):
    """Withdraw `record` from the public now, and cancel any version scheduled for later:
    in every language (English is what makes a record public), or only a translation,
    whose page then shows the English text again."""
    if not user.has_perm("articles.publish_version"):
        raise WorkflowError(_("You may not unpublish medical content."))
    if not withdraw(record, None if language == SOURCE else language):
        raise WorkflowError(_("This is not published, so there is nothing to unpublish."))


@transaction.atomic
def withdraw(record, language=None):
    """Take `record` (in `language`; None: in every language) off the public pages now
    and cancel any version scheduled for later (on unpublishing, and before the record
    is deleted); return whether there was any."""
    now = timezone.now()
    versions = Version.objects.of_record(record, language)
    cancelled = _cancel(versions.filter(live_from__gt=now))
    withdrawn = versions.live().update(live_until=now)
    if not (cancelled or withdrawn):
        return False
    Publications.count_one()
    version = latest_version(record)
    transaction.on_commit(lambda: content_published.send(sender=type(record), version=version))
    return True


@transaction.atomic
def restore(record, version, user):
    """Make `version` the working copy again, as a new version that needs review; refused
    when it shows a record deleted since (its rows would point at nothing) or when another
    record took one of its unique values (a slug)."""
    missing = missing_links(type(record), version.data) if version.source is None else []
    if missing:
        raise WorkflowError(
            _(
                "Version %(number)s cannot be restored: it shows %(records)s, deleted since. "
                "Edit the working copy instead."
            )
            % {
                "number": version.number,
                "records": ", ".join(
                    f"{target._meta.verbose_name} #{pk}" for target, pk in missing
                ),
            }
        )
    try:
        with transaction.atomic():
            restore_snapshot(record, version.data, version.language)
    except IntegrityError:
        raise WorkflowError(
            _(
                "Version %(number)s cannot be restored as it stands: another record has one "
                "of its unique values (such as its slug) now. Edit the working copy instead."
            )
            % {"number": version.number}
        ) from None
    return record_version(
        record,
        user,
        note=_("Restored from version %(number)s") % {"number": version.number},
        language=version.language,
    )


def _cancel(scheduled):
    """Cancel the `scheduled` versions; return how many. Never live, each is approved
    again (or a draft, had it never been approved): not "published"."""
    return scheduled.update(
        live_from=None,
        live_until=None,
        state=Case(
            When(approved_by__isnull=False, then=Value(Version.State.APPROVED)),
            default=Value(Version.State.DRAFT),
        ),
    )


def _check_latest(version):
    latest = Version.objects.filter(
        content_type=version.content_type,
        object_id=version.object_id,
        language=version.language,
    ).order_by("-number")
    if latest.values_list("number", flat=True).first() != version.number:
        raise WorkflowError(
            _("Version %(number)s is no longer the working copy: a newer version exists.")
            % {"number": version.number}
        )


def _check_submitted(version):
    _check_latest(version)
    if version.state != Version.State.SUBMITTED:
        raise WorkflowError(_("Only a version submitted for review can be approved or sent back."))


def _reviewing_clinician(user):
    if not user.has_perm("articles.approve_version"):
        raise WorkflowError(_("Only a medical reviewer may approve or send back content."))
    clinician = getattr(user, "clinician", None)
    if clinician is None:
        raise WorkflowError(
            _(
                "Your account is not linked to a clinician, so you cannot approve or send "
                "back content. Ask an administrator to link it."
            )
        )
    return clinician
