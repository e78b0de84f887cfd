# The schools' data versions get an owner of their own in leadership, the bottom layer: they
# were a column of the dashboard's figures (leadership_schoolrollup.data_version).

import django.db.models.deletion
from django.db import migrations, models


def copy(apps, schema_editor):
    """Each school's counter, from the figures' column (read as SQL: that model is the district
    app's by now, and this migration must not depend on an app above leadership)."""
    SchoolVersion = apps.get_model("leadership", "SchoolVersion")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT school_id, data_version FROM leadership_schoolrollup")
        rows = cursor.fetchall()
    SchoolVersion.objects.bulk_create(
        [SchoolVersion(school_id=school_id, version=version) for school_id, version in rows],
        batch_size=1000,
    )


def copy_back(apps, schema_editor):
    SchoolVersion = apps.get_model("leadership", "SchoolVersion")
    with schema_editor.connection.cursor() as cursor:
        for school_id, version in SchoolVersion.objects.values_list("school_id", "version"):
            cursor.execute(
                "UPDATE leadership_schoolrollup SET data_version = %s WHERE school_id = %s",
                [version, school_id],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("leadership", "0008_schoolrollup_to_district"),
    ]

    operations = [
        migrations.CreateModel(
            name="SchoolVersion",
            fields=[
                (
                    "school",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="data_version",
                        serialize=False,
                        to="leadership.school",
                    ),
                ),
                ("version", models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(copy, copy_back),
    ]
