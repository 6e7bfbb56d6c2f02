"""Pages worked out before an article's page kept its share card are worked out again."""

from django.db import migrations


def forget_stored_pages(apps, schema_editor):
    apps.get_model("articles", "Version").objects.exclude(page=None).update(page=None)


class Migration(migrations.Migration):
    dependencies = [("articles", "0010_share_cards")]

    operations = [migrations.RunPython(forget_stored_pages, migrations.RunPython.noop)]
