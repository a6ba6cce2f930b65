"""The load test's arithmetic: counting what the SMTP sink received, percentiles, pass or fail.

Pure functions (no Django, no network) so tests/scale can check them quickly.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


def read_sink_log(path: str | Path) -> list[dict]:
    """The sink's JSON lines (one per recipient per message); a half-written line is skipped."""
    rows = []
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # the sink is still writing this line
    except FileNotFoundError:
        return []
    return rows


@dataclass(frozen=True)
class Delivery:
    """What arrived compared with what was expected, by recipient."""

    expected: int  # messages expected in total
    delivered: int  # expected messages that arrived (at most the expected number per recipient)
    missing: int  # expected messages that never arrived
    duplicated: int  # messages beyond the expected number for a recipient
    unexpected: int  # messages to recipients not in the expected set (reported, not judged)
    missing_recipients: list[str] = field(default_factory=list)
    duplicated_recipients: list[str] = field(default_factory=list)

    @property
    def exactly_once(self) -> bool:
        return self.missing == 0 and self.duplicated == 0


def count_deliveries(
    rows: Iterable[Mapping], expected: Mapping[str, int], *, subject_prefix: str = ""
) -> Delivery:
    """Compare sink rows with `expected` (recipient -> number of messages that should arrive).

    Only rows whose subject starts with `subject_prefix` count towards the expected recipients;
    recipients are compared case-insensitively.
    """
    want = {r.lower(): n for r, n in expected.items()}
    got: Counter[str] = Counter()
    unexpected = 0
    for row in rows:
        recipient = str(row.get("to", "")).lower()
        if recipient in want and str(row.get("subject", "")).startswith(subject_prefix):
            got[recipient] += 1
        elif recipient not in want:
            unexpected += 1
    delivered = missing = duplicated = 0
    missing_to, duplicated_to = [], []
    for recipient, n in want.items():
        have = got.get(recipient, 0)
        delivered += min(have, n)
        if have < n:
            missing += n - have
            missing_to.append(recipient)
        elif have > n:
            duplicated += have - n
            duplicated_to.append(recipient)
    return Delivery(
        expected=sum(want.values()),
        delivered=delivered,
        missing=missing,
        duplicated=duplicated,
        unexpected=unexpected,
        missing_recipients=sorted(missing_to),
        duplicated_recipients=sorted(duplicated_to),
    )


def percentile(values: Iterable[float], pct: float) -> float | None:
    """Nearest-rank percentile (pct in 0-100); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class RequestSummary:
    name: str
    count: int
    errors_5xx: int
    other_errors: int  # connection errors and unexpected 4xx
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None


def summarise_requests(records: Iterable[Mapping]) -> dict[str, RequestSummary]:
    """Per request name: count, 5xx, other failures and latency percentiles (milliseconds).

    Each record is {"name", "status", "ms", "ok"} as the locustfile writes them; status 0 is a
    connection error.
    """
    by_name: dict[str, list[Mapping]] = {}
    for rec in records:
        by_name.setdefault(rec["name"], []).append(rec)
    out = {}
    for name, recs in sorted(by_name.items()):
        times = [float(r["ms"]) for r in recs]
        five = sum(1 for r in recs if 500 <= int(r["status"]) <= 599)
        other = sum(1 for r in recs if not r.get("ok", True) and not 500 <= int(r["status"]) <= 599)
        out[name] = RequestSummary(
            name=name,
            count=len(recs),
            errors_5xx=five,
            other_errors=other,
            p50_ms=percentile(times, 50),
            p95_ms=percentile(times, 95),
            max_ms=max(times) if times else None,
        )
    return out


@dataclass
class Verdict:
    """Correctness figures (each must hold) and reported figures (printed, never judged)."""

    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    reported: list[tuple[str, str]] = field(default_factory=list)

    def check(self, label: str, ok: bool, detail: str) -> bool:
        self.checks.append((label, bool(ok), detail))
        return ok

    def report(self, label: str, detail: str) -> None:
        self.reported.append((label, detail))

    @property
    def passed(self) -> bool:
        return all(ok for _, ok, _ in self.checks)

    def lines(self) -> list[str]:
        width = max((len(label) for label, *_ in self.checks + self.reported), default=0)
        out = [
            f"  {'PASS' if ok else 'FAIL'}  {label:<{width}}  {detail}"
            for label, ok, detail in self.checks
        ]
        out += [f"  info  {label:<{width}}  {detail}" for label, detail in self.reported]
        out.append(f"  {'PASSED' if self.passed else 'FAILED'}")
        return out


def booking_checks(
    verdict: Verdict,
    *,
    capacity_total: int,
    requested: int,
    confirmed: int,
    waitlisted: int,
    other_status: int,
    duplicates: int,
    overbooked_events: int,
) -> None:
    """The booking rush's correctness figures."""
    verdict.check(
        "confirmed places",
        confirmed == capacity_total and overbooked_events == 0,
        f"{confirmed} confirmed of {capacity_total} places; {overbooked_events} events overbooked",
    )
    verdict.check(
        "everyone else waitlisted",
        waitlisted == requested - capacity_total and other_status == 0,
        f"{waitlisted} waitlisted (expected {requested - capacity_total}); "
        f"{other_status} in any other status",
    )
    verdict.check(
        "no duplicate bookings",
        duplicates == 0,
        f"{duplicates} people hold two active bookings on one event",
    )


def delivery_check(verdict: Verdict, label: str, delivery: Delivery, *, seconds: float | None):
    """Exactly-once delivery as a correctness figure, with the counts in the detail."""
    took = "" if seconds is None else f" in {seconds:.1f} s"
    verdict.check(
        label,
        delivery.exactly_once,
        f"{delivery.delivered}/{delivery.expected} delivered{took}, {delivery.missing} lost, "
        f"{delivery.duplicated} duplicated",
    )
