"""Upload caps and the streamed data CSV, through the views, as a principal meets them."""

import tracemalloc
import uuid
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workplans.models import DataPoint, Evidence

HTMX = {"HTTP_HX_REQUEST": "true"}
MB = 1024 * 1024


def upload_url(measure):
    return reverse(
        "workplans:datapoint_upload",
        kwargs={"slug": measure.goal.plan.school.slug, "pk": measure.pk},
    )


def post_csv(client, measure, content: bytes, **extra):
    return client.post(
        upload_url(measure),
        {"file": SimpleUploadedFile("data.csv", content, content_type="text/csv")},
        **HTMX,
        **extra,
    )


def streamed_post(client, url: str, tmp_path: Path, fields: dict, file_field: str, chunks):
    """POST a multipart body written chunk by chunk to a temporary file and read from it as
    the server reads a socket: neither the test nor the client holds the file in memory."""
    boundary = uuid.uuid4().hex
    body = tmp_path / "body"
    with body.open("wb") as out:
        for name, value in fields.items():
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        out.write(
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{file_field}"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode()
        )
        for chunk in chunks:
            out.write(chunk)
        out.write(f"\r\n--{boundary}--\r\n".encode())
    with body.open("rb") as stream:
        return client.generic(
            "POST",
            url,
            **{
                "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
                "CONTENT_LENGTH": str(body.stat().st_size),
                "wsgi.input": stream,
                **HTMX,
            },
        )


def data_rows(total_bytes: int) -> Iterable[bytes]:
    yield b"date,value\n"
    block = b"".join(b"2026-09-%02d,%d\n" % (1 + i % 28, i) for i in range(4096))
    for _ in range(total_bytes // len(block) + 1):
        yield block


def test_an_oversize_data_csv_is_refused_while_it_streams(client_for, world, measure, tmp_path):
    client = client_for(world.principal)
    client.get(upload_url(measure))  # templates compiled before memory is watched
    tracemalloc.start()
    try:
        response = streamed_post(
            client, upload_url(measure), tmp_path, {}, "file", data_rows(6 * MB)
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    html = response.content.decode()
    assert response.status_code == 200
    assert "“big.csv” is larger than 2 MB, the most this form accepts." in html
    assert "Split the file into smaller files" in html
    assert "This field is required" not in html
    assert not DataPoint.objects.exists()
    # The 6 MB never sat in memory: the handler let go of it chunk by chunk.
    assert peak < 1.5 * MB, f"peak {peak} bytes"


def test_the_data_csv_is_imported_in_batches(client_for, world, measure, settings):
    settings.DATA_CSV_BATCH_ROWS = 2
    rows = "".join(f"2026-09-0{day},{40 + day}\n" for day in range(1, 6))
    with CaptureQueriesContext(connection) as queries:
        response = post_csv(client_for(world.principal), measure, f"date,value\n{rows}".encode())
    assert response.status_code == 200
    assert DataPoint.objects.filter(measure=measure).count() == 5
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "workplans_datapoint"')]
    assert len(inserts) == 3  # 2 + 2 + 1


def test_a_bad_line_after_a_written_batch_leaves_nothing_imported(
    client_for, world, measure, settings
):
    settings.DATA_CSV_BATCH_ROWS = 2
    text = "date,value\n2026-09-01,1\n2026-09-02,2\n2026-09-03,3\n2026-09-04,four\n"
    response = post_csv(client_for(world.principal), measure, text.encode())
    html = response.content.decode()
    assert "<td>5</td><td>“four” is not a number.</td>" in html
    assert not DataPoint.objects.exists()


def test_a_value_longer_than_the_field_cap_is_reported_on_its_line(client_for, world, measure):
    text = "date,value\n2026-09-01,41\n2026-09-02," + "9" * 300 + "\n"
    response = post_csv(client_for(world.principal), measure, text.encode())
    html = response.content.decode()
    assert "<td>3</td><td>A value on this line is longer than 200 characters.</td>" in html
    assert not DataPoint.objects.exists()


def test_a_field_past_the_csv_modules_own_limit_is_reported_not_a_500(client_for, world, measure):
    # An unclosed quote swallows the rest of the file into one field (here 150 KB over many
    # short lines): csv raises its own error, which is reported with the line it reached.
    text = 'date,value\n2026-09-01,41\n2026-09-02,"' + ("x" * 99 + "\n") * 1500
    response = post_csv(client_for(world.principal), measure, text.encode())
    html = response.content.decode()
    assert response.status_code == 200
    assert "This line is not valid CSV: check its quotation marks" in html
    assert "<td>1313</td>" in html  # where 128 KB ran out
    assert not DataPoint.objects.exists()


def test_a_line_with_no_end_is_refused_without_reading_it_whole(client_for, world, measure):
    text = "date,value\n2026-09-01," + "1" * 100_000
    response = post_csv(client_for(world.principal), measure, text.encode())
    html = response.content.decode()
    assert "<td>2</td><td>This line is longer than 12800 bytes" in html


def test_malformed_csv_names_the_line(client_for, world, measure):
    text = 'date,value\n2026-09-01,41\n2026-09-02,"4"2\n2026-09-03,43\n'
    response = post_csv(client_for(world.principal), measure, text.encode())
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "<td>3</td><td>This line is not valid CSV: check its quotation marks" in html
    assert not DataPoint.objects.exists()


def test_bad_encoding_names_the_line(client_for, world, measure):
    content = b"date,value\n2026-09-01,41\n2026-09-02,42\n" + b"2026-09-03,4\xff3\n"
    response = post_csv(client_for(world.principal), measure, content)
    assert "<td>4</td><td>The file is not a UTF-8 CSV file.</td>" in response.content.decode()
    assert not DataPoint.objects.exists()


def test_a_byte_order_mark_is_accepted(client_for, world, measure):
    response = post_csv(
        client_for(world.principal), measure, b"\xef\xbb\xbfdate,value\n2026-09-01,41\n"
    )
    assert response.status_code in (200, 204)
    assert list(DataPoint.objects.values_list("value", flat=True)) == [Decimal("41")]


def test_rows_past_the_cap_refuse_the_file(client_for, world, measure, settings):
    settings.DATA_CSV_MAX_ROWS = 3
    rows = "".join(f"2026-09-0{day},{day}\n" for day in range(1, 5))
    response = post_csv(client_for(world.principal), measure, f"date,value\n{rows}".encode())
    html = response.content.decode()
    assert "<td>5</td><td>The file has more than 3 data lines. Split it into smaller files" in html
    assert not DataPoint.objects.exists()


def test_an_oversize_evidence_file_keeps_what_was_typed(client_for, world, step, settings):
    settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, "evidence": 4096}
    response = client_for(world.teacher_leader).post(
        reverse("workplans:step_progress", kwargs={"slug": world.school.slug, "pk": step.pk}),
        {
            "status": "done",
            "evidence": SimpleUploadedFile("walk.pdf", b"%PDF-" + b"0" * 8192),
            "narrative": "Walked all twelve rooms with the coaches.",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "“walk.pdf” is larger than 4.0\xa0KB, the most this form accepts." in html
    assert "Make the file smaller" in html
    assert "Walked all twelve rooms with the coaches." in html  # typed after the file, kept
    assert 'value="done" selected' in html
    assert not step.updates.exists() and not Evidence.objects.exists()


def test_the_form_states_the_limits_before_anyone_uploads(client_for, world, measure):
    html = client_for(world.principal).get(upload_url(measure)).content.decode()
    assert "At most 2 MB and 20,000 data lines a file." in html


def test_values_too_large_for_the_column_are_reported_not_a_500(client_for, world, measure):
    text = "date,value,n\n2026-09-01,41.555,20\n2026-09-02,123456789,20\n2026-09-03,4,9999999999\n"
    response = post_csv(client_for(world.principal), measure, text.encode())
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "<td>3</td><td>value: Ensure that there are no more than 10 digits in total.</td>" in html
    )
    assert "<td>4</td><td>group size (n): Ensure this value is less than or equal to" in html
    assert "<td>2</td>" not in html  # 41.555 is kept, rounded as the column stores it
    assert not DataPoint.objects.exists()


def test_a_value_with_more_places_is_rounded_as_the_column_stores_it(client_for, world, measure):
    post_csv(client_for(world.principal), measure, b"date,value\n2026-09-01,41.555\n")
    assert list(DataPoint.objects.values_list("value", flat=True)) == [Decimal("41.56")]
