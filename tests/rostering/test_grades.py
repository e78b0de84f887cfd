"""Families' grades from the roster: the grades of their students at each school, from the file
import and the SIS sync, moved when a child moves up a grade."""

import pytest

from leadership.models import FamilyGrade, Membership, Role
from rostering import reader
from rostering.importer import RosterRun
from rostering.models import RosterImport
from rostering.source import FolderSource

from .conftest import USERS_ROWS, users_csv
from .test_sis import connect, messages_of, server_for, sis_folder, sync  # noqa: F401 (fixtures)

# st1 (grade 3) is at s1 and s2, st2 (grade 5) at s2; p1 is the agent of both.


def run(district, folder, apply=True):
    return RosterRun(district=district, source=FolderSource(folder)).run(apply=apply)


def grades_of(email: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for sid, grade in (
        FamilyGrade.objects.filter(membership__user__email=email, membership__role=Role.FAMILY)
        .order_by("membership__school__sourced_id", "grade")
        .values_list("membership__school__sourced_id", "grade")
    ):
        found.setdefault(sid, []).append(grade)
    return found


def with_rows(**changes: str) -> str:
    """users.csv with some rows replaced (key: sourcedId)."""
    rows = [changes.get(row.split(",", 1)[0], row) for row in USERS_ROWS]
    return users_csv(rows)


@pytest.mark.django_db
def test_a_family_gets_the_grades_of_its_students_at_each_school(world, export_dir):
    report = run(world.district, export_dir())
    assert report.applied
    assert grades_of("pat@home.example") == {"s1": ["03"], "s2": ["03", "05"]}


@pytest.mark.django_db
def test_a_child_moving_up_a_grade_moves_the_family(world, export_dir):
    run(world.district, export_dir())
    moved = with_rows(st1='st1,active,,TRUE,"s1,s2",student,st1,,Sam,Student,,,,,,"p1,p2",04,')
    report = run(world.district, export_dir(**{"users.csv": moved}))
    assert report.applied
    assert grades_of("pat@home.example") == {"s1": ["04"], "s2": ["04", "05"]}
    # Applying the same export again changes nothing.
    before = list(FamilyGrade.objects.order_by("pk").values_list("pk", "grade"))
    run(world.district, export_dir(**{"users.csv": moved}))
    assert list(FamilyGrade.objects.order_by("pk").values_list("pk", "grade")) == before


@pytest.mark.django_db
def test_a_preview_writes_no_grades(world, export_dir):
    run(world.district, export_dir(), apply=False)
    assert not FamilyGrade.objects.exists()


@pytest.mark.django_db
def test_grades_as_rosters_write_them_and_an_unknown_one_is_a_warning(world, export_dir):
    rows = with_rows(
        st1='st1,active,,TRUE,"s1,s2",student,st1,,Sam,Student,,,,,,"p1,p2","KG,x9",',
        st2="st2,active,,TRUE,s2,student,st2,,Sue,Student,,,,,,p1,12,",
    )
    report = run(world.district, export_dir(**{"users.csv": rows}))
    assert report.applied
    assert grades_of("pat@home.example") == {"s1": ["KG"], "s2": ["12", "KG"]}
    warnings = [(p.file, p.message) for p in report.problems if p.severity == "warning"]
    assert ("users.csv", str(reader.UNKNOWN_GRADE % {"value": "x9"})) in warnings


@pytest.mark.django_db(transaction=True)
def test_the_sis_sync_carries_grades_and_a_full_sync_moves_them(
    world,
    client,
    server_for,  # noqa: F811
    sis_folder,  # noqa: F811
):
    server = server_for(sis_folder)
    connect(world, server)
    first = sync(client, world)
    assert first.status == RosterImport.Status.APPLIED, messages_of(first)
    assert grades_of("pat@home.example") == {"s1": ["03"], "s2": ["03", "05"]}
    sam = next(u for u in server.collections["users"] if u["sourcedId"] == "st1")
    sam["grades"] = ["04"]
    second = sync(client, world, full=True)
    assert second.status == RosterImport.Status.APPLIED, messages_of(second)
    assert grades_of("pat@home.example") == {"s1": ["04"], "s2": ["04", "05"]}


@pytest.mark.django_db
def test_an_export_without_grades_leaves_the_families_grades_alone(world, export_dir):
    from leadership import services

    run(world.district, export_dir())
    no_grades = with_rows(
        st1='st1,active,,TRUE,"s1,s2",student,st1,,Sam,Student,,,,,,"p1,p2",,',
        st2="st2,active,,TRUE,s2,student,st2,,Sue,Student,,,,,,p1,,",
    )
    membership = Membership.objects.get(user__email="pat@home.example", school__sourced_id="s1")
    services.family_grades_set(actor=world.principal, membership=membership, grades=["02"])
    report = run(world.district, export_dir(**{"users.csv": no_grades}))
    assert report.applied
    assert grades_of("pat@home.example") == {"s1": ["02"], "s2": ["03", "05"]}


@pytest.mark.django_db
def test_two_guardian_records_of_one_account_keep_the_grades_of_both(world, export_dir):
    # p3 is a second record for Pat (same e-mail), the agent of Tim in grade 1 at s1.
    rows = [
        *USERS_ROWS,
        "st3,active,,TRUE,s1,student,st3,,Tim,Student,,,,,,p3,1,",
        "p3,active,,TRUE,s1,guardian,p3,,Pat,Parent,,,pat@home.example,,,st3,,",
    ]
    report = run(world.district, export_dir(**{"users.csv": users_csv(rows)}))
    assert report.applied
    assert grades_of("pat@home.example") == {"s1": ["01", "03"], "s2": ["03", "05"]}


@pytest.mark.django_db
def test_grades_of_one_account_across_chunks_are_all_kept(world, export_dir, monkeypatch):
    from rostering import applier

    split = applier.chunks
    # Chunks of two people: Pat's two records are read in different chunks.
    monkeypatch.setattr(applier, "chunks", lambda items, size=2: split(items, 2))
    rows = [
        *USERS_ROWS,
        "st3,active,,TRUE,s1,student,st3,,Tim,Student,,,,,,p3,1,",
        "p3,active,,TRUE,s1,guardian,p3,,Pat,Parent,,,pat@home.example,,,st3,,",
    ]
    report = run(world.district, export_dir(**{"users.csv": users_csv(rows)}))
    assert report.applied
    assert grades_of("pat@home.example") == {"s1": ["01", "03"], "s2": ["03", "05"]}


@pytest.mark.django_db(transaction=True)
def test_a_nightly_sync_with_only_a_students_new_grade_moves_the_family(
    world,
    client,
    server_for,  # noqa: F811
    sis_folder,  # noqa: F811
):
    from datetime import timedelta

    from django.utils import timezone

    from rostering.models import SisConnection

    server = server_for(sis_folder)
    connect(world, server)
    first = sync(client, world)
    assert first.status == RosterImport.Status.APPLIED, messages_of(first)
    assert grades_of("pat@home.example") == {"s1": ["03"], "s2": ["03", "05"]}
    SisConnection.objects.filter(district=world.district).update(
        synced_from=timezone.now() - timedelta(minutes=5)
    )
    later = (timezone.now() + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    sam = next(u for u in server.collections["users"] if u["sourcedId"] == "st1")
    sam.update(grades=["04"], dateLastModified=later)  # only Sam's row changed
    second = sync(client, world)  # a delta: what changed since the last sync
    assert second.status == RosterImport.Status.APPLIED, messages_of(second)
    assert any("dateLastModified%3E" in r for r in server.requests)
    assert grades_of("pat@home.example") == {"s1": ["04"], "s2": ["04", "05"]}
    # Nobody was deactivated by the delta.
    assert not Membership.objects.filter(district=world.district, is_active=False).exists()


@pytest.mark.django_db
def test_a_family_left_out_of_the_roster_loses_its_grades_and_gets_none_back_stale(
    world, export_dir
):
    run(world.district, export_dir())
    without_pat = [
        row
        for row in with_rows(
            st1='st1,active,,TRUE,"s1,s2",student,st1,,Sam,Student,,,,,,p2,3,',
            st2="st2,active,,TRUE,s2,student,st2,,Sue,Student,,,,,,,5,",
        ).splitlines()
        if not row.startswith("p1,")
    ]
    report = run(world.district, export_dir(**{"users.csv": "\n".join(without_pat) + "\n"}))
    assert report.applied
    assert not Membership.objects.filter(user__email="pat@home.example", is_active=True).exists()
    assert grades_of("pat@home.example") == {}
    # Back in the roster with no grade given: the old grades do not reappear.
    back = with_rows(
        st1='st1,active,,TRUE,"s1,s2",student,st1,,Sam,Student,,,,,,"p1,p2",,',
        st2="st2,active,,TRUE,s2,student,st2,,Sue,Student,,,,,,p1,,",
    )
    assert run(world.district, export_dir(**{"users.csv": back})).applied
    assert Membership.objects.filter(user__email="pat@home.example", is_active=True).exists()
    assert grades_of("pat@home.example") == {}
