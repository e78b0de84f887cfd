# District priorities move to leadership with their table (workplans_districtpriority).

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('leadership', '0009_schoolversion'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DistrictPriority',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('district', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='priorities', to='leadership.district', verbose_name='district')),
                        ('school_year', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='priorities', to='leadership.schoolyear', verbose_name='year')),
                    ],
                    options={
                        'verbose_name': 'district priority',
                        'verbose_name_plural': 'district priorities',
                        'db_table': 'workplans_districtpriority',
                        'ordering': ['title'],
                        'constraints': [models.UniqueConstraint(models.F('district'), models.F('school_year'), django.db.models.functions.text.Lower('title'), name='priority_title_once_per_year', violation_error_message='This year already has a priority with that title.')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
