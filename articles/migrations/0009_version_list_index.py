from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_search_document"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="version",
            index=models.Index(
                fields=["content_type", "language", "-publish_at", "-object_id"],
                name="version_list_idx",
            ),
        ),
    ]
