# District priorities moved to leadership; the table and the goals' foreign key stay as they are.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('leadership', '0010_districtpriority'),
        ('workplans', '0002_priority_title_once_per_year'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='goal',
                    name='district_priority',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='goals', to='leadership.districtpriority', verbose_name='district priority'),
                ),
                migrations.DeleteModel(
                    name='DistrictPriority',
                ),
            ],
            database_operations=[],
        ),
    ]
