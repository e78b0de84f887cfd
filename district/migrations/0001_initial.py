# The dashboard's figures, moved from leadership with their table (leadership_schoolrollup).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('leadership', '0008_schoolrollup_to_district'),
    ]

    operations = [
        # The table was created by leadership 0004 and is kept: only the owner changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SchoolRollup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('as_of', models.DateField()),
                        ('computed_at', models.DateTimeField()),
                        ('data_version', models.PositiveBigIntegerField(default=0)),
                        ('computed_version', models.PositiveBigIntegerField(default=0)),
                        ('has_ilt', models.BooleanField(default=False)),
                        ('seats_required', models.PositiveIntegerField(default=0)),
                        ('seats_filled', models.PositiveIntegerField(default=0)),
                        ('meetings_30d', models.PositiveIntegerField(default=0)),
                        ('attendance_30d', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('actions_open', models.PositiveIntegerField(default=0)),
                        ('actions_overdue', models.PositiveIntegerField(default=0)),
                        ('has_plan', models.BooleanField(default=False)),
                        ('goals_total', models.PositiveIntegerField(default=0)),
                        ('goals_on_track', models.PositiveIntegerField(default=0)),
                        ('goals_at_risk', models.PositiveIntegerField(default=0)),
                        ('goals_off_track', models.PositiveIntegerField(default=0)),
                        ('goals_no_data', models.PositiveIntegerField(default=0)),
                        ('steps_total', models.PositiveIntegerField(default=0)),
                        ('steps_done', models.PositiveIntegerField(default=0)),
                        ('steps_done_pct', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('events_held', models.PositiveIntegerField(default=0)),
                        ('events_upcoming', models.PositiveIntegerField(default=0)),
                        ('rsvps', models.PositiveIntegerField(default=0)),
                        ('event_attendance', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('interpretation_requests', models.PositiveIntegerField(default=0)),
                        ('goal_statuses', models.JSONField(blank=True, default=list)),
                        ('trend', models.JSONField(blank=True, default=dict)),
                        ('school', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='rollup', to='leadership.school')),
                    ],
                    options={
                        'verbose_name': 'school dashboard figures',
                        'verbose_name_plural': 'school dashboard figures',
                        'db_table': 'leadership_schoolrollup',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
