"""A record of the medical content as one plain document: taken, restored, compared.

An article, a condition or a treatment is versioned as a whole: its own fields, its
parts (sections and references; symptoms, risk factors, treatments and T-score bands;
a treatment's points) and its topics. The document is plain JSON so that a version
reads the same in ten years, whatever the models have become since.
"""

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.richtext import RichTextField
from articles.search import visible_text
from articles.translation import (
    SOURCE,
    column,
    is_translation_column,
    translated_fields,
)

# Bookkeeping, not content: never part of a version, never compared or restored.
NOT_VERSIONED = {"id", "seed_fingerprint", "created_at", "updated_at"}
# A link in sanitized rich text (nh3 writes attributes in double quotes).
LINK = re.compile(r'<a\b[^>]*?\shref="(?P<href>[^"]*)"[^>]*>(?P<words>.*?)</a>', re.S)


def _fields(model, parent=None):
    """The concrete fields of `model` that hold content (for a part: not its parent link;
    a translation's column stands in its English field's place in that language's
    document)."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in NOT_VERSIONED
        and f.name != parent
        and not is_translation_column(model, f.name)
    ]


def _values(model, obj, language, parent=None):
    """`obj`'s content in `language`: the translated fields from that language's columns."""
    translated = translated_fields(model) if language != SOURCE else ()
    return {
        f.attname: _value(
            model._meta.get_field(column(f.name, language)) if f.name in translated else f, obj
        )
        for f in _fields(model, parent)
    }


def _value(field, obj):
    if isinstance(field, models.FileField):
        return getattr(obj, field.attname).name or ""
    value = field.value_from_object(obj)
    if isinstance(value, datetime) and timezone.is_aware(value):
        # One instant, one text: in UTC and to the second (the admin's form keeps no more),
        # so a save that changed nothing records no version.
        return value.astimezone(UTC).replace(microsecond=0)
    return value


def _encoded(values):
    """`values` as JSON would store them: compare like with like."""
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def take_snapshot(record, parts=None, topics=None, language=SOURCE):
    """The document of `record` in `language` as it stands in the database now (`parts`
    and `topics`: its model's `version_parts` and `version_topics`, unless given)."""
    model = type(record)
    parts = model.version_parts if parts is None else parts
    topics = model.version_topics if topics is None else topics
    document = {
        "fields": _values(model, record, language),
        "topics": {
            name: sorted(getattr(record, name).values_list("pk", flat=True)) for name in topics
        },
        "parts": {},
    }
    for relation in parts:
        manager = getattr(record, relation)
        parent = manager.field.name
        rows = []
        for part in manager.order_by(*manager.model._meta.ordering or ["pk"]):
            row = {"id": part.pk}
            row.update(_values(manager.model, part, language, parent))
            rows.append(row)
        if rows:
            document["parts"][relation] = rows
    return _encoded(document)


def restore_snapshot(record, document, language=SOURCE):
    """Make `record` and its parts what the `language` `document` says (the caller holds a
    transaction). English restores the whole record and keeps the translations of the
    rows it keeps; a translation restores its own words only, on the rows still there."""
    if language != SOURCE:
        _restore_translation(record, document, language)
        return
    model = type(record)
    for f in _fields(model):
        if f.attname in document["fields"]:
            setattr(record, f.attname, f.to_python(document["fields"][f.attname]))
    record.save()
    for relation in model.version_parts:
        manager = getattr(record, relation)
        parent = manager.field.name
        translations = _translation_columns(manager.model)
        kept = {values["pk"]: values for values in manager.values("pk", *translations)}
        manager.all().delete()
        for row in document["parts"].get(relation, []):
            part = manager.model(pk=row["id"], **{parent: record})
            for f in _fields(manager.model, parent):
                if f.attname in row:
                    setattr(part, f.attname, f.to_python(row[f.attname]))
            for name in translations:
                setattr(part, name, kept.get(row["id"], {}).get(name, ""))
            part.save(force_insert=True)
    for name in model.version_topics:
        getattr(record, name).set(document["topics"].get(name, []))


def _translation_columns(model):
    return [f.name for f in model._meta.concrete_fields if is_translation_column(model, f.name)]


def _restore_translation(record, document, language):
    model = type(record)
    for name in translated_fields(model):
        if name in document["fields"]:
            setattr(record, column(name, language), document["fields"][name])
    record.save()
    for relation in model.version_parts:
        manager = getattr(record, relation)
        names = translated_fields(manager.model)
        for row in document["parts"].get(relation, []):
            words = {column(name, language): row[name] for name in names if name in row}
            if words:
                manager.filter(pk=row["id"]).update(**words)


# Translation ------------------------------------------------------------------------


def _words(model, document):
    """{(where, field): text} of every translated text of `document`."""
    words = {("", name): document["fields"].get(name) or "" for name in translated_fields(model)}
    for relation, rows in document["parts"].items():
        part_model = getattr(model, relation).rel.related_model
        for row in rows:
            for name in translated_fields(part_model):
                words[((relation, row["id"]), name)] = row.get(name) or ""
    return words


def has_words(model, document):
    """Whether a translation's `document` holds any translated text at all."""
    return any(_words(model, document).values())


def untranslated_texts(model, source, translation):
    """What has English words in `source` and none in `translation`, as staff name it."""
    translated = _words(model, translation)
    missing = []
    for (where, name), text in _words(model, source).items():
        if text.strip() and not translated.get((where, name), "").strip():
            owner = model if not where else getattr(model, where[0]).rel.related_model
            label = str(owner._meta.get_field(name).verbose_name)
            if where:
                label = f"{owner._meta.verbose_name} #{where[1]}: {label}"
            missing.append(label)
    return missing


def source_changed(model, source, latest):
    """Whether the English words changed between the `source` document a translation was
    made from and the `latest` English document."""
    return _words(model, source) != _words(model, latest)


# Comparison ------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    before: str
    after: str

    @property
    def sides(self):
        """(before, after) as HTML: words removed marked <del>, words added <ins>."""
        return word_diff(self.before, self.after)


@dataclass
class RowChange:
    status: str  # "added", "removed" or "changed"
    label: str
    changes: list = field(default_factory=list)


@dataclass
class Comparison:
    fields: list
    topics: list  # (label, added names, removed names)
    parts: list  # (label, [RowChange])

    @property
    def has_changes(self):
        return bool(self.fields or self.topics or any(rows for _, rows in self.parts))


def _readable(f, value, names):
    """A stored value as a reader would say it: rich text as its words, choices by label,
    links by the linked record's name."""
    if value in (None, ""):
        return ""
    if isinstance(f, RichTextField):
        return " ".join(visible_text(LINK.sub(_with_address, value)).split())
    if isinstance(f, models.DateTimeField):
        return date_format(timezone.localtime(f.to_python(value)), "j F Y, H:i")
    if isinstance(f, models.DateField):
        return date_format(f.to_python(value), "j F Y")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.ForeignKey):
        return names.get((f.related_model, value), f"#{value}")
    if isinstance(f, models.BooleanField):
        return "✓" if value else "✗"
    return str(value)


def _with_address(link):
    """A link's words followed by its address: a link pointed elsewhere is a change too."""
    return f"{link.group('words')} ({link.group('href')})"


def _field_changes(fields, before, after, names):
    changes = []
    # What staff cannot edit follows from what they can (an image's renditions): not shown.
    for f in (f for f in fields if f.editable):
        old = _readable(f, before.get(f.attname), names)
        new = _readable(f, after.get(f.attname), names)
        if old != new:
            changes.append(FieldChange(str(f.verbose_name).capitalize(), old, new))
    return changes


def _link_targets(model, documents):
    """{model: {pk}}: the records the documents of a `model` record link to, by the foreign
    keys of the record and of its parts, and by its topics."""
    wanted = {}
    for document in documents:
        tables = [(model, [document["fields"]])]
        for relation in model.version_parts:
            part_model = getattr(model, relation).rel.related_model
            tables.append((part_model, document["parts"].get(relation, [])))
        for table, rows in tables:
            for f in table._meta.concrete_fields:
                if isinstance(f, models.ForeignKey):
                    pks = {row[f.attname] for row in rows if row.get(f.attname)}
                    wanted.setdefault(f.related_model, set()).update(pks)
        for name in model.version_topics:
            target = model._meta.get_field(name).related_model
            wanted.setdefault(target, set()).update(document["topics"].get(name, []))
    return {target: pks for target, pks in wanted.items() if pks}


def _linked_names(model, documents):
    """The names of every record the documents link to, read in one query per model."""
    return {
        (target, pk): str(obj)
        for target, pks in _link_targets(model, documents).items()
        for pk, obj in target._default_manager.in_bulk(pks).items()
    }


def missing_links(model, document):
    """The records a document of a `model` record links to that exist no more, as (model,
    pk) pairs: the document cannot be restored as it stands."""
    missing = []
    for target, pks in _link_targets(model, [document]).items():
        found = set(target._default_manager.filter(pk__in=pks).values_list("pk", flat=True))
        missing.extend((target, pk) for pk in sorted(pks - found))
    return missing


def compare(model, before, after):
    """What changed from document `before` to document `after` of a `model` record."""
    names = _linked_names(model, [before, after])
    fields = _field_changes(_fields(model), before["fields"], after["fields"], names)
    topics = []
    for name in model.version_topics:
        target = model._meta.get_field(name)
        old, new = set(before["topics"].get(name, [])), set(after["topics"].get(name, []))
        if old != new:
            topics.append(
                (
                    str(target.verbose_name).capitalize(),
                    sorted(names.get((target.related_model, pk), f"#{pk}") for pk in new - old),
                    sorted(names.get((target.related_model, pk), f"#{pk}") for pk in old - new),
                )
            )
    parts = []
    for relation in model.version_parts:
        rel = getattr(model, relation).rel
        part_fields = _fields(rel.related_model, rel.field.name)
        old_rows = {row["id"]: row for row in before["parts"].get(relation, [])}
        new_rows = {row["id"]: row for row in after["parts"].get(relation, [])}
        rows = []
        for pk, row in new_rows.items():
            label = _row_label(part_fields, row, names)
            if pk not in old_rows:
                rows.append(RowChange("added", label, _field_changes(part_fields, {}, row, names)))
            else:
                changes = _field_changes(part_fields, old_rows[pk], row, names)
                if changes:
                    rows.append(RowChange("changed", label, changes))
        for pk, row in old_rows.items():
            if pk not in new_rows:
                label = _row_label(part_fields, row, names)
                rows.append(
                    RowChange("removed", label, _field_changes(part_fields, row, {}, names))
                )
        parts.append((str(rel.related_model._meta.verbose_name_plural).capitalize(), rows))
    return Comparison(fields, topics, parts)


def _row_label(fields, row, names):
    for name in ("heading", "name", "label", "citation"):
        for f in fields:
            if f.name == name and row.get(f.attname):
                return _readable(f, row[f.attname], names)[:80]
    kind = next((f for f in fields if f.name == "kind"), None)
    return _readable(kind, row.get("kind"), names) if kind else f"#{row['id']}"


def word_diff(before, after):
    """(before, after) as HTML, word by word: what was removed in <del>, added in <ins>."""
    old, new = before.split(), after.split()
    left, right = [], []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        removed = escape(" ".join(old[i1:i2]))
        added = escape(" ".join(new[j1:j2]))
        if operation == "equal":
            left.append(removed)
            right.append(added)
            continue
        if removed:
            left.append(f"<del>{removed}</del>")
        if added:
            right.append(f"<ins>{added}</ins>")
    return mark_safe(" ".join(left)), mark_safe(" ".join(right))  # noqa: S308 - escaped above
