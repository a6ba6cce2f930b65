"""The load test's verdict: which figures fail the run, and the latency arithmetic."""

from loadtest import figures


def _rush(verdict, **overrides):
    values = dict(
        capacity_total=500,
        requested=600,
        confirmed=500,
        waitlisted=100,
        other_status=0,
        duplicates=0,
        overbooked_events=0,
    )
    values.update(overrides)
    figures.booking_checks(verdict, **values)
    return verdict


def test_exactly_the_places_confirmed_and_the_rest_waitlisted_passes():
    assert _rush(figures.Verdict()).passed


def test_one_booking_over_capacity_fails_the_run():
    verdict = _rush(figures.Verdict(), confirmed=501, waitlisted=99, overbooked_events=1)

    assert not verdict.passed
    assert any(label == "confirmed places" and not ok for label, ok, _ in verdict.checks)


def test_a_duplicate_booking_fails_the_run():
    assert not _rush(figures.Verdict(), duplicates=1).passed


def test_a_refused_request_shows_as_fewer_waitlisted():
    assert not _rush(figures.Verdict(), waitlisted=99).passed


def test_latency_is_reported_but_never_fails_the_run():
    verdict = _rush(figures.Verdict())
    verdict.report("p95 book", "4000 ms, target < 300 ms")

    assert verdict.passed
    assert verdict.lines()[-1].strip() == "PASSED"


def test_lost_email_fails_and_the_line_says_how_many():
    verdict = figures.Verdict()
    rows = [{"to": "a@x.org", "subject": ""}]
    delivery = figures.count_deliveries(rows, {"a@x.org": 1, "b@x.org": 1})

    figures.delivery_check(verdict, "evaluation emails exactly once", delivery, seconds=None)

    assert not verdict.passed
    assert "1/2 delivered, 1 lost, 0 duplicated" in verdict.lines()[0]


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))  # 1..100

    assert figures.percentile(values, 95) == 95
    assert figures.percentile(values, 50) == 50
    assert figures.percentile([7.0], 95) == 7.0
    assert figures.percentile([], 95) is None


def test_summarise_counts_5xx_apart_from_other_failures():
    records = [
        {"name": "book", "status": 302, "ms": 100, "ok": True},
        {"name": "book", "status": 503, "ms": 3000, "ok": False},
        {"name": "book", "status": 429, "ms": 5, "ok": False},
        {"name": "book", "status": 0, "ms": 5, "ok": False},  # connection refused
        {"name": "catalogue", "status": 200, "ms": 40, "ok": True},
    ]

    summary = figures.summarise_requests(records)

    assert summary["book"].count == 4
    assert summary["book"].errors_5xx == 1
    assert summary["book"].other_errors == 2
    assert summary["book"].max_ms == 3000
    assert summary["catalogue"].p95_ms == 40
