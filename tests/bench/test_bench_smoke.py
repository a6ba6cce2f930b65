"""`make bench` in miniature: scale 1 imported, every output measured once, the hand-written SQL
floor agrees with the report, and the table and verdicts print (one test: it imports a year)."""

from datetime import date

from django.core.cache import cache

from bench import floor, run
from bench.measure import import_dataset, measure
from imports.samples import write_sample_csvs

# One reporting year of the sample history (it starts on 1 April 2010): the real bench's 10-year
# period costs 40 quarters of figures, too slow for `make test`.
START, END = date(2010, 4, 1), date(2011, 3, 31)


def _result(**overrides) -> dict:
    """A measured result as bench.measure returns it, with made-up times."""
    out = {"cold": 0.5, "warm": [0.2], "median": 0.2, "queries": [9, 9]}
    figures = {name: 1 for name in floor.FIGURES}
    result = {
        "vendor": "postgresql",
        "scale": 100.0,
        "imported": {"seconds": 30.0, "rows": {"events.csv": 6800}},
        "outputs": {name: dict(out) for name in ("page", "json", "xlsx")}
        | {"floor": dict(out, median=0.1, cold=0.1)},
        "figures": {"report": figures, "floor": figures},
        "differences": [],
    }
    return result | overrides


def test_bench_imports_measures_every_output_and_the_sql_floor_agrees(db, tmp_path):
    cache.clear()
    write_sample_csvs(tmp_path, scale=1)
    imported = import_dataset(tmp_path)

    result = measure(runs=0, start=START, end=END)

    assert imported["rows"]["events.csv"] == 68
    assert result["differences"] == []
    figures = result["figures"]["floor"]
    assert figures["events_delivered"] > 0 and figures["used"] > 0
    assert figures["pre_completed"] > 0 and figures["pre_mean"] is not None
    assert result["outputs"]["floor"]["queries"] == [1]
    assert result["outputs"]["json"]["queries"] == [7]  # the frames (6) and stage 2 impact (1)
    assert all(result["outputs"][name]["cold"] > 0 for name in ("page", "xlsx"))
    # The first page after an import: its charts were drawn ahead, so it draws none itself and
    # its queries are the warm page's plus the first request's; the table's cold page still
    # draws them (the cache was emptied after).
    first = result["first_page"]
    assert first["charts"] > 0 and first["seconds"] > 0
    assert first["queries"] < result["outputs"]["page"]["queries"][0]
    result.update(imported=imported, vendor="sqlite", scale=1.0)
    assert "| SQLite | 1× | 68 |" in run.table([result])
    assert "first report page after an import" in "\n".join(run.verdicts([result])[0])


def test_the_first_and_warm_page_targets_are_judged_at_1x():
    quick = _result(scale=1.0, first_page={"seconds": 0.4, "queries": 30, "charts": 9,
                                           "charts_seconds": 2.0})  # fmt: skip
    text = "\n".join(run.verdicts([quick])[0])
    assert "2.00 s): 0.40 s (met: < 1 s); warm page 200 ms (met: < 300 ms)" in text
    slow = _result(scale=1.0, first_page={"seconds": 1.5, "queries": 30, "charts": 9,
                                          "charts_seconds": 2.0})  # fmt: skip
    slow["outputs"]["page"] = dict(slow["outputs"]["page"], median=0.35)
    text = "\n".join(run.verdicts([slow])[0])
    assert "1.50 s (MISSED: < 1 s); warm page 350 ms (MISSED: < 300 ms)" in text


def test_targets_are_reported_and_only_unequal_figures_fail_the_run():
    lines, figures_ok = run.verdicts([_result()])
    assert figures_ok
    assert "PostgreSQL 100× JSON report: 2.0× the floor (met: ≤ 3×), 0.20 s (met: < 2 s)" in (
        "\n".join(lines)
    )

    slow = _result()
    slow["outputs"]["xlsx"] = dict(slow["outputs"]["xlsx"], median=2.5)
    lines, figures_ok = run.verdicts([slow])
    assert figures_ok
    assert any("XLSX export: 25.0× the floor (MISSED" in line for line in lines)

    report = dict(_result()["figures"]["report"], attended=-1)
    broken = _result(differences=floor.differences(_result()["figures"]["floor"], report))
    lines, figures_ok = run.verdicts([broken])
    assert not figures_ok
    assert "attended: report -1, SQL 1" in "\n".join(lines)


def test_below_100x_the_ratio_is_reported_not_judged():
    small = _result(scale=1.0)
    small["outputs"]["page"] = dict(small["outputs"]["page"], median=5.0)

    lines, figures_ok = run.verdicts([small])

    text = "\n".join(lines)
    assert figures_ok
    assert "1× uptake page: 50.0× the floor (reported; the targets apply at 100×)" in text
    assert "MISSED" not in text and "met" not in text
