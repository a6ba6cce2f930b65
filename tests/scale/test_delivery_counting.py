"""The load test's email checker: exactly once per expected recipient, counted from the sink."""

import json

from loadtest import figures
from loadtest.smtp_sink import sink_rows

EXPECTED = {"a@example.org": 1, "b@example.org": 1, "c@example.org": 2}


def _rows(*recipients, subject="How was Course 1? Your certificate is waiting"):
    return [{"to": r, "subject": subject} for r in recipients]


def test_every_expected_message_once_is_exactly_once():
    rows = _rows("a@example.org", "b@example.org", "c@example.org", "c@example.org")

    delivery = figures.count_deliveries(rows, EXPECTED)

    assert delivery.exactly_once
    assert (delivery.expected, delivery.delivered, delivery.missing, delivery.duplicated) == (
        4,
        4,
        0,
        0,
    )


def test_a_missing_message_counts_as_lost_and_names_the_recipient():
    rows = _rows("a@example.org", "c@example.org", "c@example.org")

    delivery = figures.count_deliveries(rows, EXPECTED)

    assert not delivery.exactly_once
    assert delivery.missing == 1
    assert delivery.missing_recipients == ["b@example.org"]


def test_a_second_copy_counts_as_duplicated_not_as_delivered():
    rows = _rows("a@example.org", "a@example.org", "b@example.org", "c@example.org")

    delivery = figures.count_deliveries(rows, EXPECTED)

    assert delivery.delivered == 3
    assert delivery.duplicated == 1
    assert delivery.missing == 1  # c@ expected two, got one
    assert delivery.duplicated_recipients == ["a@example.org"]


def test_recipients_match_case_insensitively_and_strangers_are_only_reported():
    rows = _rows("A@Example.org", "b@example.org", "c@example.org", "c@example.org")
    rows += _rows("x@example.org")

    delivery = figures.count_deliveries(rows, EXPECTED)

    assert delivery.exactly_once
    assert delivery.unexpected == 1


def test_only_subjects_with_the_prefix_count_for_expected_recipients():
    rows = _rows("a@example.org", "b@example.org", "c@example.org", "c@example.org")
    rows += _rows("a@example.org", subject="Your place is booked: Course 1")

    delivery = figures.count_deliveries(rows, EXPECTED, subject_prefix="How was ")

    assert delivery.exactly_once


def test_read_sink_log_skips_a_half_written_last_line(tmp_path):
    log = tmp_path / "sink.jsonl"
    log.write_text(json.dumps({"to": "a@example.org", "subject": "s"}) + '\n{"to": "b@ex')

    assert figures.read_sink_log(log) == [{"to": "a@example.org", "subject": "s"}]
    assert figures.read_sink_log(tmp_path / "missing.jsonl") == []


def test_sink_rows_one_row_per_recipient_with_subject():
    message = (
        b"Subject: How was Course 1? Your certificate is waiting\r\n"
        b"Message-ID: <1@example.org>\r\n\r\nHello\r\n"
    )

    rows = sink_rows(["A@example.org", "lm@example.org"], message, at=12.3456)

    assert [r["to"] for r in rows] == ["a@example.org", "lm@example.org"]
    assert {r["subject"] for r in rows} == {"How was Course 1? Your certificate is waiting"}
    assert rows[0]["message_id"] == "<1@example.org>"
    assert "body" not in rows[0]


def test_sink_rows_keep_the_text_body_when_asked():
    message = b"Subject: Your sign-in code\r\nContent-Type: text/plain\r\n\r\nCode: MTDM-NCBV\r\n"

    (row,) = sink_rows(["a@example.org"], message, at=0, bodies=True)

    assert "MTDM-NCBV" in row["body"]
