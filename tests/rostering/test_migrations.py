"""A database migrated under the old layout (RosterImport in leadership) migrates cleanly.

The pattern of django-test-migrations, with Django's own MigrationExecutor: migrate back to
the state before the move, write rows through the historical models, migrate forward, and
read them through the current ones.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from leadership.models import AuditEntry, OutboxTask
from rostering.models import RosterImport

BEFORE = [("leadership", "0006_roster_apply_heartbeat"), ("rostering", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()  # what earlier runs applied
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_roster_import_of_the_old_layout_is_kept_with_its_names_followed():
    old = migrate(BEFORE)
    try:
        District = old.get_model("leadership", "District")
        OldRosterImport = old.get_model("leadership", "RosterImport")
        OldOutboxTask = old.get_model("leadership", "OutboxTask")
        OldAuditEntry = old.get_model("leadership", "AuditEntry")
        district = District.objects.create(name="Old", slug="old", languages=["en"])
        row = OldRosterImport.objects.create(
            district=district,
            file="rostering/1/export.zip",
            original_name="export.zip",
            status="applying",
            counts={"people_created": 3},
        )
        queued = OldOutboxTask.objects.create(
            task="leadership.rostering.tasks.apply_roster_import", args=[row.pk]
        )
        other = OldOutboxTask.objects.create(task="leadership.tasks.sweep_outbox", args=[])
        OldAuditEntry.objects.create(
            action="rosterimport.apply", object_type="leadership.rosterimport", object_id=row.pk
        )
        # As a database of the old layout has it (a flush by an earlier test may have left
        # only the content types of today's models).
        ContentType.objects.filter(app_label="rostering", model="rosterimport").delete()
        content_type, _ = ContentType.objects.get_or_create(
            app_label="leadership", model="rosterimport"
        )
    finally:
        migrate_to_latest()

    moved = RosterImport.objects.get(pk=row.pk)
    assert (moved.district_id, moved.original_name, moved.status, moved.counts) == (
        district.pk,
        "export.zip",
        RosterImport.Status.APPLYING,
        {"people_created": 3},
    )
    assert moved.file.name == "rostering/1/export.zip"
    # The same table, with its constraint: still one apply at a time per district.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "leadership_rosterimport")
    assert "rosterimport_one_applying_per_district" in constraints
    # The queued work runs under the task's new name; other work is left as it was.
    assert OutboxTask.objects.get(pk=queued.pk).task == "rostering.tasks.apply_roster_import"
    assert OutboxTask.objects.get(pk=other.pk).task == "leadership.tasks.sweep_outbox"
    assert AuditEntry.objects.get(action="rosterimport.apply").object_type == (
        "rostering.rosterimport"
    )
    assert ContentType.objects.get_for_model(RosterImport).pk == content_type.pk
