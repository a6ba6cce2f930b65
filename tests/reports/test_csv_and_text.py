"""CSV files: UTF-8 with a byte order mark and CRLF everywhere; the text format cuts nothing."""

import io
from datetime import date

from django.core.management import call_command
from django.urls import reverse

from reports.exporters import report_text
from reports.report import report_build
from reports.tables import Table

PERIOD = {"start": "2022-04-01", "end": "2023-03-31"}
BOM = b"\xef\xbb\xbf"


def _lines_end_crlf(raw: bytes) -> bool:
    return raw.count(b"\n") > 1 and raw.count(b"\n") == raw.count(b"\r\n")


def test_each_csv_download_starts_with_a_bom_and_ends_every_line_crlf(data, client, lead):
    client.force_login(lead)
    for slug in ("summary", "quarters", "by_priority"):
        raw = client.get(reverse("reports:uptake_csv", args=[slug]), PERIOD).content
        assert raw.startswith(BOM + b"Measure" if slug == "summary" else BOM), slug
        assert _lines_end_crlf(raw), slug
    quarters = client.get(reverse("reports:uptake_csv", args=["quarters"]), PERIOD).content
    assert "Q1 Apr–Jun 2022".encode() in quarters


def _command_csv(stdout) -> None:
    call_command(
        "training_report",
        "--start",
        PERIOD["start"],
        "--end",
        PERIOD["end"],
        "--format",
        "csv",
        stdout=stdout,
    )


def test_the_training_report_command_csv_has_the_bom_and_crlf(data):
    out = io.StringIO()
    _command_csv(out)
    text = out.getvalue()
    assert text.startswith("\ufeffkey,value\r\n")
    assert text.count("\n") == text.count("\r\n") > 10


def test_the_command_writes_utf8_bytes_whatever_the_terminal_says(data):
    raw = io.BytesIO()
    # An ASCII terminal that would also turn each newline into CRLF (as Windows text mode does).
    terminal = io.TextIOWrapper(raw, encoding="ascii", newline="\r\n")
    _command_csv(terminal)
    terminal.flush()
    written = raw.getvalue()
    assert written.startswith(BOM + b"key,value\r\n")
    assert _lines_end_crlf(written)  # no \r\r\n


def test_the_text_format_keeps_long_labels_whole(data):
    report = report_build(start=date(2022, 4, 1), end=date(2023, 3, 31))
    long_label = "Safeguarding adults at risk of exploitation and modern slavery: practice"
    table = Table(
        "t",
        "Long",
        [("name", "Name"), ("n", "Count")],
        [{"name": long_label, "n": 12}, {"name": "Short", "n": 3}],
    )
    text = report_text(report, [table])
    assert "Safeguarding adults at risk of exploitation and  12" in text
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("Safeguarding"))
    assert lines[first + 1].strip() == "modern slavery: practice"  # wrapped, not cut
    assert lines[first + 2].startswith("Short")
