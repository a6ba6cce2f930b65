"""`make bench`: the report's cost at 1x, 10x and 100x a partnership's year, against a SQL floor.

For each database (SQLite file and/or PostgreSQL) and scale: a fresh database (a copy of one
migrated template), the sample history of imports.samples.write_sample_csvs imported with
import_history (timed), then bench.measure in a child process: time (cold, and the median of warm
runs) and SQL query count of the uptake page, the JSON report and the XLSX export, and the time of
one hand-written SQL query computing the same headline figures (the floor).

Prints a Markdown table (pasteable into docs/performance.md) and the verdicts. Exits non-zero when
the report's figures differ from the SQL floor's, or a step fails; the time targets (within 3x the
floor and under 2 s at 100x; import under 60 s at 100x) are reported, not asserted.

Environment (or the matching options): BENCH_DATABASE=sqlite|postgres|both (default both),
BENCH_SCALES=1,10,100, BENCH_RUNS=3, BENCH_PG_URL=postgres://postgres@127.0.0.1:5432,
BENCH_DIR=var/bench (CSV files, SQLite databases and results; git-ignored), BENCH_ANALYZE=1
(PostgreSQL: ANALYZE after each import, untimed, as autovacuum would on a default server; the
bench machine's server runs without autovacuum, so by default the report meets tables without
statistics).
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_TEMPLATE = "learning_loop_bench_template"
RATIO_TARGET = 3.0
SECONDS_TARGET = 2.0
IMPORT_TARGET = 60.0
TARGET_SCALE = 100
# At 1× (issue 17): the first report page a lead opens after an import, and a warm page.
FIRST_PAGE_TARGET = 1.0
WARM_PAGE_TARGET = 0.3
OUTPUT_LABELS = {"page": "uptake page", "json": "JSON report", "xlsx": "XLSX export"}


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


# --- the machine ------------------------------------------------------------------------------


class LoadSampler:
    """1-minute load average every few seconds while the bench runs (the machine is shared)."""

    def __init__(self, every: float = 5.0):
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)

    def _run(self, every: float) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        s = self.samples or [os.getloadavg()[0]]
        return {"min": min(s), "mean": sum(s) / len(s), "max": max(s), "samples": len(s)}


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    import django
    import pandas

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "pandas": pandas.__version__,
        "sqlite": sqlite3.sqlite_version,
    }


# --- data sets --------------------------------------------------------------------------------


def sample_csvs(work: Path, scale: float) -> tuple[Path, dict, float]:
    """The sample CSVs for `scale`, written once per version of write_sample_csvs (cached)."""
    from imports.samples import write_sample_csvs

    digest = hashlib.sha256(inspect.getsource(write_sample_csvs).encode()).hexdigest()[:10]
    directory = work / "csv" / f"scale-{scale:g}-{digest}"
    marker = directory / "rows.json"
    if marker.exists():
        return directory, json.loads(marker.read_text()), 0.0
    shutil.rmtree(directory, ignore_errors=True)
    started = time.perf_counter()
    rows = write_sample_csvs(directory, scale)
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps(rows))
    return directory, rows, seconds


# --- databases --------------------------------------------------------------------------------


def child_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        MPLBACKEND="Agg",
    )
    # The default chart cache (the database) starts empty with each fresh database; a shared
    # Redis would carry charts over between runs.
    env.pop("REDIS_URL", None)
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def migrate(database_url: str) -> None:
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=BASE_DIR, env=child_env(database_url), check=True,
    )  # fmt: skip


class SqliteDatabases:
    vendor = "sqlite"

    def __init__(self, work: Path):
        self.dir = work / "sqlite"
        self.template = self.dir / "template.sqlite3"

    def available(self) -> str | None:
        return None

    def prepare(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self._remove(self.template)
        migrate(f"sqlite:///{self.template}")
        with sqlite3.connect(self.template) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @staticmethod
    def _remove(path: Path) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def fresh(self, scale: float) -> str:
        path = self.dir / f"bench-{scale:g}.sqlite3"
        self._remove(path)
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"


class PostgresDatabases:
    vendor = "postgresql"

    def __init__(self, server: str):
        self.server = server.rstrip("/")

    def _admin(self):
        import psycopg

        return psycopg.connect(f"{self.server}/postgres", autocommit=True, connect_timeout=5)

    def available(self) -> str | None:
        try:
            with self._admin() as conn:
                conn.execute("SELECT 1")
        except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
            return f"PostgreSQL at {self.server} is not reachable ({error.__class__.__name__})"
        return None

    def _recreate(self, name: str, template: str | None = None) -> None:
        from psycopg import sql

        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            conn.execute(create)

    def prepare(self) -> None:
        self._recreate(PG_TEMPLATE)
        migrate(f"{self.server}/{PG_TEMPLATE}")

    def fresh(self, scale: float) -> str:
        name = f"learning_loop_bench_{scale:g}".replace(".", "_")
        self._recreate(name, template=PG_TEMPLATE)
        return f"{self.server}/{name}"


# --- one run ----------------------------------------------------------------------------------


def run_one(
    databases, scale: float, csv_dir: Path, work: Path, runs: int, analyze: bool = False
) -> dict:
    url = databases.fresh(scale)
    out = work / "results" / f"{databases.vendor}-{scale:g}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    cmd = [PY, "-m", "bench.measure", "--csv-dir", str(csv_dir), "--out", str(out),
           "--runs", str(runs), *(["--analyze"] if analyze else [])]  # fmt: skip
    subprocess.run(cmd, cwd=BASE_DIR, env=child_env(url), check=True)
    return json.loads(out.read_text())


# --- the table --------------------------------------------------------------------------------


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f}"


def ratio(result: dict, name: str) -> float | None:
    floor = result["outputs"]["floor"]["median"]
    return result["outputs"][name]["median"] / floor if floor else None


def table(results: list[dict]) -> str:
    head = ["DB", "scale", "events", "bookings", "evaluations", "import s"]
    for name in ("page", "json", "xlsx"):
        head += [f"{name} s (cold)", f"{name} queries", f"{name}/floor"]
    head += ["floor s (cold)", "figures equal"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        rows = r["imported"]["rows"]
        cells = [
            ("PostgreSQL" if r["vendor"] == "postgresql" else "SQLite")
            + (" (ANALYZE)" if r.get("analyzed") else ""),
            f"{r['scale']:g}×",
            f"{rows.get('events.csv', 0):,}",
            f"{rows.get('bookings.csv', 0):,}",
            f"{rows.get('evaluations.csv', 0):,}",
            _s(r["imported"]["seconds"]),
        ]
        for name in ("page", "json", "xlsx"):
            o = r["outputs"][name]
            # Warm count (cold count): the first page draws and caches the charts.
            warm = sorted(set(o["queries"][1:])) or [o["queries"][0]]
            q = str(warm[0]) if len(warm) == 1 else f"{warm[0]}–{warm[-1]}"
            if o["queries"][0] not in warm:
                q += f" ({o['queries'][0]})"
            x = ratio(r, name)
            cells += [f"{_s(o['median'])} ({_s(o['cold'])})", q, "-" if x is None else f"{x:.1f}×"]
        f = r["outputs"]["floor"]
        cells += [f"{f['median']:.3f} ({f['cold']:.3f})", "yes" if not r["differences"] else "NO"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdicts(results: list[dict]) -> tuple[list[str], bool]:
    """Lines saying which targets were met; and whether every figure matched the floor."""
    lines, figures_ok = [], True
    for r in results:
        where = f"{'PostgreSQL' if r['vendor'] == 'postgresql' else 'SQLite'} {r['scale']:g}×"
        if r["differences"]:
            figures_ok = False
            lines.append(f"FAIL {where}: the report's figures differ from the SQL floor's:")
            lines += [f"       {d}" for d in r["differences"]]
        for name, label in OUTPUT_LABELS.items():
            x = ratio(r, name)
            median = r["outputs"][name]["median"]
            ok_ratio = x is not None and x <= RATIO_TARGET
            if r["scale"] >= TARGET_SCALE:
                parts = [
                    f"{x:.1f}× the floor ({'met' if ok_ratio else 'MISSED'}: ≤ {RATIO_TARGET:g}×)"
                ]
            else:
                # A floor of a few milliseconds against a page's fixed cost (rendering, session,
                # charts from the cache): the ratio says nothing until the data dominates.
                parts = [f"{x:.1f}× the floor (reported; the targets apply at {TARGET_SCALE:g}×)"]
            if r["scale"] >= TARGET_SCALE:
                ok_time = median < SECONDS_TARGET
                parts.append(
                    f"{median:.2f} s ({'met' if ok_time else 'MISSED'}: < {SECONDS_TARGET:g} s)"
                )
            lines.append(f"     {where} {label}: " + ", ".join(parts))
        first = r.get("first_page")
        if r["scale"] == 1 and first:
            ok_first = first["seconds"] < FIRST_PAGE_TARGET
            warm = r["outputs"]["page"]["median"]
            ok_warm = warm < WARM_PAGE_TARGET
            lines.append(
                f"     {where} first report page after an import ({first['charts']} charts drawn"
                f" ahead by the worker in {first['charts_seconds']:.2f} s): {first['seconds']:.2f}"
                f" s ({'met' if ok_first else 'MISSED'}: < {FIRST_PAGE_TARGET:g} s); warm page"
                f" {warm * 1000:.0f} ms ({'met' if ok_warm else 'MISSED'}:"
                f" < {WARM_PAGE_TARGET * 1000:.0f} ms)"
            )
        if r["scale"] >= TARGET_SCALE:
            seconds = r["imported"]["seconds"]
            met = "met" if seconds < IMPORT_TARGET else "MISSED"
            lines.append(f"     {where} import: {seconds:.1f} s ({met}: < {IMPORT_TARGET:g} s)")
    return lines, figures_ok


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the reports against a SQL floor.")
    parser.add_argument(
        "--db", choices=["sqlite", "postgres", "both"],
        default=os.environ.get("BENCH_DATABASE", "both"),
    )  # fmt: skip
    parser.add_argument("--scales", default=os.environ.get("BENCH_SCALES", "1,10,100"))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--dir", default=os.environ.get("BENCH_DIR", str(BASE_DIR / "var/bench")))
    parser.add_argument(
        "--analyze", action="store_true",
        default=os.environ.get("BENCH_ANALYZE", "") not in ("", "0", "false"),
        help="PostgreSQL: ANALYZE after each import, as autovacuum would (off by default)",
    )  # fmt: skip
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    work = Path(args.dir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    kinds = []
    if args.db in ("sqlite", "both"):
        kinds.append(SqliteDatabases(work))
    if args.db in ("postgres", "both"):
        pg = PostgresDatabases(args.pg_url)
        problem = pg.available()
        if problem and args.db == "postgres":
            log(problem)
            return 2
        if problem:
            log(problem + ": PostgreSQL skipped (BENCH_DATABASE=sqlite silences this)")
        else:
            kinds.append(pg)

    # The page is rendered as in production (DEBUG off, hashed static files), which needs the
    # static manifest: a fresh checkout has none until collectstatic has run.
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR, env=child_env(os.environ.get("DATABASE_URL", "sqlite:///:memory:")),
        check=True,
    )  # fmt: skip
    info = machine()
    log(f"{info['nproc']} CPUs ({info['cpu']}), {info['memory']}, Python {info['python']}, "
        f"Django {info['django']}, load {os.getloadavg()[0]:.2f}")  # fmt: skip
    results: list[dict] = []
    started = time.perf_counter()
    with LoadSampler() as load:
        datasets = {}
        for scale in scales:
            csv_dir, rows, seconds = sample_csvs(work, scale)
            datasets[scale] = csv_dir
            made = f"written in {seconds:.1f} s" if seconds else "cached"
            log(f"scale {scale:g}: {rows} ({made}) in {csv_dir}")
        for kind in kinds:
            log(f"{kind.vendor}: migrating the template database")
            kind.prepare()
            for scale in scales:
                log(f"{kind.vendor} {scale:g}×: fresh database, import, measure ({args.runs} runs)")
                result = run_one(kind, scale, datasets[scale], work, args.runs, args.analyze)
                result["scale"] = scale
                result["analyzed"] = bool(result["imported"].get("analyze_seconds"))
                results.append(result)
                o = result["outputs"]
                log(
                    f"  import {result['imported']['seconds']:.1f} s; "
                    + ", ".join(f"{k} {v['median']:.3f} s" for k, v in o.items())
                )
    info["postgresql"] = next(
        (r["server_version"] for r in results if r["vendor"] == "postgresql"), None
    )
    info["load_during_run"] = load.summary()
    info["total_seconds"] = time.perf_counter() - started

    lines, figures_ok = verdicts(results)
    print()
    print(table(results))
    print()
    print("\n".join(lines))
    lo = info["load_during_run"]
    print()
    print(
        f"Machine: {info['nproc']} CPUs, {info['cpu']}, {info['memory']}; Python {info['python']}, "
        f"Django {info['django']}, pandas {info['pandas']}, SQLite {info['sqlite']}"
        + (f", PostgreSQL {info['postgresql']}" if info["postgresql"] else "")
        + f". Load average (1 min) during the run: min {lo['min']:.2f}, mean {lo['mean']:.2f}, "
        f"max {lo['max']:.2f}. Total {info['total_seconds']:.0f} s."
    )
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    saved = work / f"bench-{stamp}.json"
    saved.write_text(json.dumps({"machine": info, "results": results}, indent=2))
    print(f"Times: warm median (cold first run) in seconds. Full results: {saved}")
    if not figures_ok:
        print("FAILED: the report's figures differ from the hand-written SQL's.")
        return 1
    print("Figures: the report equals the hand-written SQL at every scale.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
