# The schools' data versions get an owner of their own in leadership, the bottom layer: they
# were a column of the dashboard's figures (leadership_schoolrollup.data_version).

import django.db.models.deletion
from django.db import migrations, models

COPY = """
INSERT INTO leadership_schoolversion (school_id, version)
SELECT school_id, data_version FROM leadership_schoolrollup
ON CONFLICT (school_id) DO UPDATE SET version = EXCLUDED.version
"""

COPY_BACK = """
UPDATE leadership_schoolrollup r SET data_version = v.version
FROM leadership_schoolversion v WHERE v.school_id = r.school_id
"""


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
        migrations.RunSQL(COPY, reverse_sql=COPY_BACK),
    ]
