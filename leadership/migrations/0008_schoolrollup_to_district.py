# The dashboard's figures moved to the district app; the table stays where it is.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("leadership", "0007_rosterimport_to_rostering"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SchoolRollup")],
            database_operations=[],
        ),
    ]
