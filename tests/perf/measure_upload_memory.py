"""Peak memory of one process posting a 50 MB data CSV through the upload view.

Run by hand, one measurement a process (ru_maxrss is the process's peak):
    pytest tests/perf/measure_upload_memory.py -s -p no:cacheprovider
MEASURE_MB sets the file's size; MEASURE_LIFT_CAPS=1 raises the upload and row caps, to see
the streamed parse itself rather than the handler's refusal. Not a test of the suite: the name
does not match test_*.py, and nothing here asserts a time.
"""

import os
import resource
import time
import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse

from leadership.models import Role
from tests.leadership.factories import person
from tests.workplans.factories import MeasureFactory, WorkPlanFactory
from workplans.models import DataPoint

MB = 1024 * 1024


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def write_body(path, boundary: str, size: int) -> None:
    """A multipart body holding a CSV of `size` bytes: valid unique lines, one bad line last,
    so the whole file is parsed and then refused (no insert to time)."""
    start = date(1, 1, 1)
    with path.open("wb") as out:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="data.csv"\r\nContent-Type: text/csv\r\n\r\ndate,value\n'.encode()
        )
        written, day = 0, 0
        while written < size:
            lines = "".join(
                f"{(start + timedelta(days=day + i)).isoformat()},{(day + i) % 1000}\n"
                for i in range(10_000)
            ).encode()
            out.write(lines)
            written += len(lines)
            day += 10_000
        out.write(b"9999-12-31,not a number\n")
        out.write(f"\r\n--{boundary}--\r\n".encode())


@pytest.mark.django_db
def test_measure(world, client, settings, tmp_path):
    size = int(os.environ.get("MEASURE_MB", "50")) * MB
    if os.environ.get("MEASURE_LIFT_CAPS") == "1":
        settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, "data_csv": 2 * size}
        settings.DATA_CSV_MAX_ROWS = 10_000_000
    principal = person(Role.PRINCIPAL, school=world.school)
    plan = WorkPlanFactory(school=world.school)
    measure = MeasureFactory(goal__plan=plan)
    url = reverse(
        "workplans:datapoint_upload", kwargs={"slug": world.school.slug, "pk": measure.pk}
    )
    client.force_login(principal)
    client.get(url)
    boundary = uuid.uuid4().hex
    body = tmp_path / "body"
    write_body(body, boundary, size)
    before = rss_mb()
    began = time.monotonic()
    with body.open("rb") as stream:
        response = client.generic(
            "POST",
            url,
            **{
                "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
                "CONTENT_LENGTH": str(body.stat().st_size),
                "wsgi.input": stream,
            },
        )
    elapsed = time.monotonic() - began
    page = response.content.decode()
    said = "too large" if "larger than" in page else "rejected" if "Nothing was" in page else "?"
    print(
        f"\nfile {body.stat().st_size / MB:.1f} MB -> status {response.status_code}, "
        f"{said}, {DataPoint.objects.count()} points; peak RSS {before:.0f} MB before the request, "
        f"{rss_mb():.0f} MB after; {elapsed:.1f} s"
    )
