# RosterImport, moved here from leadership without moving its data: the model keeps the
# table leadership_rosterimport (db_table), its constraint and its indexes, so the database
# is left as it is and only Django's state changes. Then what named the model or its tasks
# by the old app is renamed: the content type (so permissions and admin history follow the
# model), audit entries' object type, and the outbox rows' dotted task names.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import rostering.models

OLD_TASKS, NEW_TASKS = "leadership.rostering.tasks.", "rostering.tasks."


def relabel(apps, old_app: str, new_app: str, old_tasks: str, new_tasks: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new_app, model="rosterimport").exists():
        ContentType.objects.filter(app_label=old_app, model="rosterimport").update(
            app_label=new_app
        )
    AuditEntry = apps.get_model("leadership", "AuditEntry")
    AuditEntry.objects.filter(object_type=f"{old_app}.rosterimport").update(
        object_type=f"{new_app}.rosterimport"
    )
    # Work recorded before the move names the tasks by their old module; the sweep imports
    # the task by that name, so undispatched rows are renamed (dispatched ones too, so the
    # record of what was queued reads the same).
    OutboxTask = apps.get_model("leadership", "OutboxTask")
    for row in OutboxTask.objects.filter(task__startswith=old_tasks).only("pk", "task"):
        row.task = new_tasks + row.task.removeprefix(old_tasks)
        row.save(update_fields=["task"])


def forwards(apps, schema_editor):
    relabel(apps, "leadership", "rostering", OLD_TASKS, NEW_TASKS)


def backwards(apps, schema_editor):
    relabel(apps, "rostering", "leadership", NEW_TASKS, OLD_TASKS)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("leadership", "0007_rosterimport_to_rostering"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="RosterImport",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "file",
                            models.FileField(
                                max_length=300,
                                upload_to=rostering.models.roster_upload_path,
                                verbose_name="export",
                            ),
                        ),
                        (
                            "original_name",
                            models.CharField(blank=True, max_length=255, verbose_name="file name"),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[("upload", "upload"), ("command", "command")],
                                default="upload",
                                max_length=20,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("previewing", "Checking the export"),
                                    ("ready", "Ready to apply"),
                                    ("invalid", "Has errors"),
                                    ("applying", "Applying"),
                                    ("applied", "Applied"),
                                    ("failed", "Failed"),
                                ],
                                default="previewing",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "version",
                            models.CharField(
                                blank=True, max_length=20, verbose_name="OneRoster version"
                            ),
                        ),
                        (
                            "progress",
                            models.PositiveSmallIntegerField(default=0, verbose_name="progress"),
                        ),
                        ("preview_counts", models.JSONField(blank=True, default=dict)),
                        ("counts", models.JSONField(blank=True, default=dict)),
                        ("problems", models.JSONField(blank=True, default=list)),
                        ("error_count", models.PositiveIntegerField(default=0)),
                        ("warning_count", models.PositiveIntegerField(default=0)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("applied_at", models.DateTimeField(blank=True, null=True)),
                        ("apply_queued_at", models.DateTimeField(blank=True, null=True)),
                        ("apply_started_at", models.DateTimeField(blank=True, null=True)),
                        ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "failure",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("stalled", "The worker applying it stopped"),
                                    ("not_started", "No worker began applying it"),
                                    ("crashed", "An unexpected error stopped it"),
                                ],
                                max_length=20,
                                verbose_name="why it failed",
                            ),
                        ),
                        (
                            "applied_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "district",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="roster_imports",
                                to="leadership.district",
                                verbose_name="district",
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "roster import",
                        "verbose_name_plural": "roster imports",
                        "db_table": "leadership_rosterimport",
                        "ordering": ["-created_at", "-id"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "applying")),
                                fields=("district",),
                                name="rosterimport_one_applying_per_district",
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
