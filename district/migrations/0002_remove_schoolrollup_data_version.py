# The data version moved to leadership.SchoolVersion (copied by leadership 0008).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("district", "0001_initial"),
        ("leadership", "0009_schoolversion"),
    ]

    operations = [
        migrations.RemoveField(model_name="schoolrollup", name="data_version"),
    ]
