"""Helpers to build small OneRoster exports in a temporary folder or zip."""

import io
import zipfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "oneroster"
if not FIXTURES.exists():  # a fresh clone keeps shared/ beside the repository
    FIXTURES = Path("/work/shared/fixtures/oneroster")

MANIFEST_11 = """propertyName,value
manifest.version,1.0
oneroster.version,1.1
file.academicSessions,bulk
file.orgs,bulk
file.users,bulk
file.enrollments,absent
"""
SESSIONS = (
    "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n"
    "sy1,active,,Year,schoolYear,2026-08-17,2027-06-11,,2027\n"
)
ORGS = """sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId
d1,active,,Riverside District,district,,
s1,active,,Maple Elementary,school,,d1
s2,active,,Oak Middle,school,,d1
dep1,active,,Science Department,department,,s2
"""
USERS_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
    "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password"
)
USERS_ROWS = [
    "t1,active,,TRUE,s1,teacher,t1,,Tess,Teacher,,,tess@maple.example,,,,,",
    "a1,active,,TRUE,s1,administrator,a1,,Al,Admin,,,al@maple.example,,,,,",
    "t2,active,,TRUE,dep1,teacher,t2,,Dora,Dept,,,dora@oak.example,,,,,",
    'st1,active,,TRUE,"s1,s2",student,st1,,Sam,Student,,,,,,"p1,p2",3,',
    "st2,active,,TRUE,s2,student,st2,,Sue,Student,,,,,,p1,5,",
    "p1,active,,TRUE,s1,parent,p1,,Pat,Parent,,,pat@home.example,,,st1,,",
    "p2,active,,TRUE,s1,guardian,p2,,Gil,Guardian,,,,,,st1,,",
]


def users_csv(rows=None, header=USERS_HEADER) -> str:
    return "\n".join([header, *(USERS_ROWS if rows is None else rows)]) + "\n"


def base_files(**overrides) -> dict[str, str]:
    files = {
        "manifest.csv": MANIFEST_11,
        "academicSessions.csv": SESSIONS,
        "orgs.csv": ORGS,
        "users.csv": users_csv(),
    }
    files.update(overrides)
    return {name: text for name, text in files.items() if text is not None}


def write_folder(path: Path, files: dict[str, str | bytes]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        (path / name).write_bytes(data)
    return path


def zip_bytes(files: dict[str, str | bytes], folder: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(folder + name, text)
    return buffer.getvalue()


def zip_folder(path: Path) -> bytes:
    return zip_bytes({p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()})


@pytest.fixture
def export_dir(tmp_path):
    """export_dir(**overrides) -> a folder with the base export, files replaced or removed."""
    counter = iter(range(1000))

    def make(**overrides) -> Path:
        return write_folder(tmp_path / f"export{next(counter)}", base_files(**overrides))

    return make


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
