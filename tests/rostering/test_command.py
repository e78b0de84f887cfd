"""`manage.py import_oneroster`: the same import from the command line, and the generator."""

import pytest
from django.core.management import CommandError, call_command

from leadership.models import Membership, School, User
from rostering import reader
from rostering.models import RosterImport

from .conftest import FIXTURES, base_files, users_csv, zip_bytes

pytestmark = pytest.mark.django_db


def test_dry_run_then_apply_from_a_folder(world, export_dir, capsys):
    folder = export_dir()
    call_command("import_oneroster", str(folder), district="riverside", dry_run=True)
    out = capsys.readouterr().out
    assert "Dry run: nothing was changed." in out
    assert not School.objects.filter(sourced_id="s1").exists()

    call_command("import_oneroster", str(folder), district="riverside")
    out = capsys.readouterr().out
    assert "Applied." in out
    assert "people" in out and "Gil Guardian (p2) has no e-mail address" in out
    assert Membership.objects.filter(sourced_id="t1", is_active=True).exists()
    kept = RosterImport.objects.filter(source="command").order_by("id")
    assert [r.status for r in kept] == ["ready", "applied"]
    assert kept[1].counts["people_created"] == 4


def test_a_zip_from_the_command_line(world, tmp_path, capsys):
    path = tmp_path / "export.zip"
    path.write_bytes(zip_bytes(base_files(), folder="export/"))
    call_command("import_oneroster", str(path), district="riverside")
    assert School.objects.filter(sourced_id="s2", district=world.district).exists()


def test_errors_exit_non_zero_and_change_nothing(world, export_dir, capsys):
    bad = users_csv().replace("tess@maple.example", "tess@@maple")
    folder = export_dir(**{"users.csv": bad})
    users = User.objects.count()
    with pytest.raises(CommandError, match="The export has errors"):
        call_command("import_oneroster", str(folder), district="riverside")
    out = capsys.readouterr().out
    assert "users.csv:2" in out and str(reader.BAD_EMAIL % {"email": "tess@@maple"}) in out
    assert User.objects.count() == users
    assert not School.objects.filter(sourced_id="s1").exists()


def test_an_unknown_district(world, export_dir):
    with pytest.raises(CommandError, match="No district"):
        call_command("import_oneroster", str(export_dir()), district="nowhere")


def test_the_real_v1p2_export_imports_from_the_command_line(world, capsys):
    folder = FIXTURES / "v1p2-catalyst-test-data"
    call_command("import_oneroster", str(folder), district="riverside")
    out = capsys.readouterr().out
    assert "errors: 0" in out and "Applied." in out


@pytest.mark.parametrize(
    ("name", "errors"), [("v1p1-catalyst-minimal", 1), ("v1p1-oat-sa-base", 2)]
)
def test_the_defective_real_exports_are_refused_on_the_command_line(world, name, errors, capsys):
    with pytest.raises(CommandError, match="The export has errors"):
        call_command("import_oneroster", str(FIXTURES / name), district="riverside")
    out = capsys.readouterr().out
    assert f"errors: {errors}," in out and "Applied." not in out
    assert not RosterImport.objects.filter(status="applied").exists()


def test_the_generated_export_imports_cleanly(world, tmp_path, capsys):
    path = tmp_path / "gen.zip"
    call_command("make_oneroster_export", str(path), schools=3, staff=12, guardians=20)
    call_command("import_oneroster", str(path), district="riverside")
    assert "errors: 0, warnings: 0" in capsys.readouterr().out
    schools = School.objects.filter(district=world.district).exclude(sourced_id="")
    assert sorted(s.student_count for s in schools) == [3, 3, 4]
    assert Membership.objects.filter(role="principal").exclude(sourced_id="").count() == 3
    assert Membership.objects.filter(role="family").exclude(sourced_id="").count() == 20
    spanish = User.objects.filter(email="family0@gen.example").get()
    assert spanish.preferred_language == "es"
