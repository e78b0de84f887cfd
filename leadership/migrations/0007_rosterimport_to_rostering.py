# RosterImport moved to the rostering app. Only Django's state changes here: the table
# leadership_rosterimport stays, with its rows, and rostering 0001 takes it over.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("leadership", "0006_roster_apply_heartbeat"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RosterImport")],
            database_operations=[],
        ),
    ]
