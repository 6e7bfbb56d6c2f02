"""Search reads one kind of record at a time (articles, conditions, treatments): the
trigram index of the words readers see now starts with the kind (btree_gin), so a search
for conditions no longer reads and rechecks every article holding the word (a Thai word
in 2,200 versions: 17 ms for the 100 conditions, now under 1 ms). PostgreSQL only."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

BY_TEXT = GinIndex(
    fields=["search_text"], opclasses=["gin_trgm_ops"], name="version_search_text_idx"
)
BY_KIND_AND_TEXT = GinIndex(
    fields=["content_type", "search_text"],
    opclasses=["int4_ops", "gin_trgm_ops"],
    name="version_kind_search_text_idx",
)


def index_by_kind(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        version = apps.get_model("articles", "Version")
        schema_editor.add_index(version, BY_KIND_AND_TEXT)
        schema_editor.remove_index(version, BY_TEXT)


def index_by_text(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        version = apps.get_model("articles", "Version")
        schema_editor.add_index(version, BY_TEXT)
        schema_editor.remove_index(version, BY_KIND_AND_TEXT)


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_version_record_live_index")]

    operations = [migrations.RunPython(index_by_kind, index_by_text)]
