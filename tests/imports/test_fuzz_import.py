"""The L&D lead's import upload: limits checked before parsing, and Hypothesis-fuzzed files.

Uploads are refused by size (20 MB, also unpacked for a .zip) and by line count before a row is
read; random bytes, broken CSV, odd names and broken zips get a page listing the problems (never a
500) and nothing is written; a generated comment in otherwise good files is stored as given,
less its control characters.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Booking
from core.text import clean_text
from courses.models import Event
from evaluations.models import Answer, Response
from imports import forms
from imports.readers import FILE_NAMES
from people.models import User
from tests.imports.preview import confirm_preview

pytestmark = pytest.mark.django_db

GOOD = Path(__file__).parent / "fixtures" / "good"
ALLOWED = {200, 302, 400, 403, 404, 405, 409, 413, 422, 429, 503}
FUZZ = settings(
    max_examples=200,
    derandomize=True,  # the same 200 examples every run: CI must not flake
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
HEADERS = {
    "events.csv": "event_ref,course,priority,audience,mode,start,end,capacity,status",
    "bookings.csv": "booking_ref,event_ref,email,name,organisation,booked_at,status,"
    "cancelled_at,cancellation_reason",
    "evaluations.csv": "booking_ref,stage,submitted_at,score,comment",
    "elearning.csv": "module,priority,email,name,organisation,enrolled_at,completed_at",
}
GOOD_COMMENT = "Really useful, I will use the tools."


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def counts() -> tuple:
    return (
        Event.objects.count(),
        Booking.objects.count(),
        User.objects.count(),
        Response.objects.count(),
        Answer.objects.count(),
    )


def post_upload(client, data):
    """POST the upload. When it is accepted, its preview is confirmed as shown, its task runs
    (inline in tests) once the request commits, and the page returned is the run's."""
    response = client.post(reverse("imports:upload"), data)
    if response.status_code != 302:
        return response
    return confirm_preview(client, response, refused_ok=True)


@pytest.fixture
def never_parsed(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("an upload over the limits must not be parsed")

    monkeypatch.setattr("imports.services.import_history", never)


# --- limits, checked before parsing --------------------------------------------------------


def test_an_upload_over_the_size_limit_is_refused_unread(lead_client, never_parsed, monkeypatch):
    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 1024 * 1024)
    big = upload("bookings.csv", HEADERS["bookings.csv"].encode() + b"\n" + b"x" * (2 << 20))
    response = lead_client.post(reverse("imports:upload"), {"files": big})
    assert response.status_code == 200
    assert "The files are too large to upload" in response.text


def test_a_zip_that_unpacks_over_the_size_limit_is_refused_unpacked(
    lead_client, never_parsed, monkeypatch
):
    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 1024 * 1024)

    def never_unpacked(*args, **kwargs):
        raise AssertionError("a zip bomb must not be unpacked")

    monkeypatch.setattr(forms, "read_zip", never_unpacked)
    bomb = zipped({"bookings.csv": b"0" * (4 << 20)})  # about 4 KB packed
    assert len(bomb) < 64 * 1024
    response = lead_client.post(reverse("imports:upload"), {"files": upload("old.zip", bomb)})
    assert "The files are too large to upload (4 MB; the limit is 1 MB)" in response.text


def test_an_upload_over_the_line_limit_is_refused_before_parsing(lead_client, never_parsed):
    lines = forms.MAX_UPLOAD_ROWS + 1
    body = HEADERS["evaluations.csv"].encode() + b"\n" + b"\n" * lines  # small: ~200 KB
    assert len(body) < forms.MAX_UPLOAD_BYTES
    response = lead_client.post(
        reverse("imports:upload"), {"files": upload("evaluations.csv", body)}
    )
    assert response.status_code == 200
    assert "The files have too many lines to upload" in response.text


def test_an_upload_just_under_the_line_limit_is_parsed(lead_client, catalogue, monkeypatch):
    monkeypatch.setattr(forms, "MAX_UPLOAD_ROWS", 20)
    files = [upload(p.name, p.read_bytes()) for p in sorted(GOOD.glob("*.csv"))]
    lines = sum(p.read_bytes().count(b"\n") + 1 for p in GOOD.glob("*.csv"))
    assert lines > 20
    refused = lead_client.post(reverse("imports:upload"), {"files": files})
    assert "too many lines" in refused.text
    monkeypatch.setattr(forms, "MAX_UPLOAD_ROWS", lines)
    files = [upload(p.name, p.read_bytes()) for p in sorted(GOOD.glob("*.csv"))]
    accepted = post_upload(lead_client, {"files": files, "check_only": "on"})
    assert "Files checked: nothing saved" in accepted.text


# --- fuzzing -------------------------------------------------------------------------------

ANY_CHAR = st.characters(blacklist_categories=("Cs",))
cells = st.one_of(
    st.text(ANY_CHAR, max_size=30),
    st.sampled_from(
        [
            "",
            "EV1",
            "BK1",
            "pre",
            "post",
            "attended",
            "2022-07-12T09:30",
            "31/02/2022",
            "4.33",
            "NaN",
            "inf",
            "-1",
            "9" * 30,
            "=1+1",
            '"',
            "\x00",
            "\r",
            "Pat.Practitioner@Dudley.gov.uk",
            "Dudley Council",
            "Exploitation",
            "face_to_face",
        ]
    ),
)


def csv_text(header: str) -> st.SearchStrategy[bytes]:
    """A CSV with the right (or a mangled) header and fuzzed rows of the right or wrong width."""
    width = header.count(",") + 1
    rows = st.lists(st.lists(cells, min_size=0, max_size=width + 2), max_size=8)
    head = st.sampled_from([header, header.upper(), header.replace(",", ";"), header[:-3], ""])

    def render(h, body, bom, encoding):
        out = io.StringIO()
        writer = csv.writer(out)
        for row in body:
            writer.writerow(row)
        text = (h + "\n" if h else "") + out.getvalue()
        data = text.encode("utf-8", errors="surrogatepass")
        if encoding == "latin-1":
            data = text.encode("latin-1", errors="replace")
        return (b"\xef\xbb\xbf" if bom else b"") + data

    return st.builds(
        render, head, rows, st.booleans(), st.sampled_from(["utf-8", "utf-8", "latin-1"])
    )


names = st.sampled_from([*FILE_NAMES, "EVENTS.CSV", "x.csv", "import.zip", "a/../events.csv"]) | (
    # A browser sends only a file's base name; "/", "." and ".." cannot be a file's name at all.
    st.text(ANY_CHAR, min_size=1, max_size=20).filter(
        lambda n: "\x00" not in n and os.path.basename(n) not in {"", ".", ".."}
    )
)
one_file = st.one_of(
    st.sampled_from(FILE_NAMES).flatmap(lambda n: st.tuples(st.just(n), csv_text(HEADERS[n]))),
    st.tuples(names, st.binary(max_size=400)),
    st.tuples(
        st.just("old.zip"),
        st.dictionaries(
            st.sampled_from([*FILE_NAMES, "x/events.csv", "__MACOSX/events.csv", "notes.txt"]),
            st.binary(max_size=200) | csv_text(HEADERS["bookings.csv"]),
            max_size=3,
        ).map(zipped),
    ),
    st.tuples(st.just("old.zip"), st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b)),
)


def test_fuzzed_uploads_never_500_and_write_nothing_when_refused(lead_client, catalogue):
    @FUZZ
    @given(files=st.lists(one_file, max_size=4), check_only=st.booleans(), junk=st.booleans())
    def run(files, check_only, junk):
        data = {"files": [upload(name, content) for name, content in files]}
        if check_only:
            data["check_only"] = "on"
        if junk:
            data["files"] = "not a file"
        before = counts()
        with transaction.atomic():
            response = post_upload(lead_client, data)
            assert response.status_code in ALLOWED
            summary = response.context.get("summary") if response.context else None
            if summary is None or summary["dry_run"]:
                assert counts() == before, "a refused or checked-only upload wrote something"
            transaction.set_rollback(True)

    run()


typed = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r")


@settings(FUZZ, max_examples=200)
@given(comment=st.text(typed, max_size=300))
def test_a_generated_comment_is_stored_less_control_characters(lead_client, catalogue, comment):
    files = {p.name: p.read_bytes() for p in GOOD.glob("*.csv")}
    rows = list(csv.reader(io.StringIO(files["evaluations.csv"].decode("utf-8-sig"))))
    [row] = [r for r in rows if GOOD_COMMENT in r]
    row[-1] = comment
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    files["evaluations.csv"] = out.getvalue().encode()
    with transaction.atomic():
        response = post_upload(lead_client, {"files": [upload(n, c) for n, c in files.items()]})
        assert response.status_code == 200
        assert response.context["summary"] is not None, response.context.get("errors_by_file")
        stored = Answer.objects.filter(
            response__invitation__booking__external_ref=row[0],
            response__invitation__stage=row[1],
        ).exclude(text="")
        # Cleaned where it comes in (core.text): control characters go, tab and newline stay.
        expected = clean_text(comment.strip()).strip()
        assert [a.text for a in stored] == ([expected] if expected else [])
        transaction.set_rollback(True)
