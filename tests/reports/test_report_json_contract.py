"""docs/report-json.md lists every key `training_report --format json` writes, and no other
(issue 17): the page is read here, so it cannot drift from the code."""

import io
import json
import re
from pathlib import Path

from django.core.management import call_command

DOC = Path(__file__).resolve().parents[2] / "docs" / "report-json.md"
# Blocks documented once at the top level and repeated (the doc says where).
EVALUATION_BLOCKS = ("evaluations", "learning_gain", "non_response")
PREVIOUS_BLOCKS = ("period", "events", "places", "organisations", "elearning", "funnel")
PREVIOUS_BLOCKS += EVALUATION_BLOCKS
# Objects whose keys are data (the audiences; the filters given).
OPEN_KEYS = ("events.by_audience", "previous.events.by_audience", "filters")


def documented() -> tuple[set[str], set[str]]:
    """(every key of the doc's tables, with the repeats expanded; those that may be null)."""
    keys, nullable = set(), set()
    for line in DOC.read_text().splitlines():
        match = re.match(r"\| `([^`]+)` \| ([^|]+) \|", line)
        if match:
            keys.add(match.group(1))
            if "(or null)" in match.group(2):
                nullable.add(match.group(1))
    for block in EVALUATION_BLOCKS:
        inner = {k for k in keys if k.startswith(block + ".")}
        for group in ("evaluation_by_priority[]", "evaluation_by_course[]"):
            keys |= {f"{group}.{k}" for k in inner}
            nullable |= {f"{group}.{k}" for k in inner & nullable}
    for block in PREVIOUS_BLOCKS:
        inner = {k for k in keys if k.startswith(block + ".")}
        keys |= {f"previous.{k}" for k in inner}
        nullable |= {f"previous.{k}" for k in inner & nullable}
    return keys, nullable


def produced(value, path: str = "", out: set | None = None, nulls: set | None = None):
    """(every key path written; those whose value was null)."""
    out = set() if out is None else out
    nulls = set() if nulls is None else nulls
    if isinstance(value, dict):
        for key, inner in value.items():
            child = f"{path}.{key}" if path else key
            out.add(child + "[]" if isinstance(inner, list) and _of_objects(inner) else child)
            if inner is None:
                nulls.add(child)
            if child not in OPEN_KEYS:
                produced(inner, child, out, nulls)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                produced(item, path + "[]", out, nulls)
    return out, nulls


def _of_objects(items: list) -> bool:
    return any(isinstance(item, dict) for item in items)


def report_json(*args) -> dict:
    out = io.StringIO()
    call_command("training_report", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def _intermediate(keys: set[str]) -> set[str]:
    """Every prefix object of the documented keys ("a.b" for "a.b.c")."""
    prefixes = set()
    for key in keys:
        parts = key.split(".")
        for i in range(1, len(parts)):
            prefixes.add(".".join(parts[:i]))
    return prefixes


def test_the_documented_keys_are_the_keys_written(data):
    report = report_json("--start", "2022-04-01", "--end", "2023-03-31")
    written, nulls = produced(report)
    keys, nullable = documented()
    undocumented = written - keys - _intermediate(keys)
    assert not undocumented, f"written but not in docs/report-json.md: {sorted(undocumented)}"
    # A key documented but absent is only allowed inside an object that was null here.
    missing = {k for k in keys - written if not any(k.startswith(n + ".") for n in nulls)}
    assert not missing, f"in docs/report-json.md but not written: {sorted(missing)}"
    # An object that was null here is documented as one that may be null.
    objects_null = {n for n in nulls if any(k.startswith(n + ".") for k in keys)}
    assert objects_null <= nullable, sorted(objects_null - nullable)


def test_rates_are_per_cent_0_to_100(data):
    report = report_json("--start", "2022-04-01", "--end", "2023-03-31")
    assert 0 <= report["places"]["fill_rate"] <= 100
    assert report["places"]["fill_rate"] > 1  # not a 0-1 fraction (the hand-worked figure)
    for row in report["by_priority"] + report["quarters"]:
        rate = row["fill_rate"]
        assert rate is None or 0 <= rate <= 100


def test_the_check_can_fail(data):
    """A key the doc does not list is caught (the helper, on a made-up report)."""
    written, _ = produced({"period": {"start": "x", "end": "y"}, "surprise": 1})
    keys, _ = documented()
    assert "surprise" in written - keys - _intermediate(keys)
