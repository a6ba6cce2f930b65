"""Where the CPU went during a load test: the web tier, PostgreSQL, the workers, the load
generator, and everything else on the machine.

On a shared 2-CPU machine a latency figure means little without this: a p95 of seconds can be
the stack's own cost or another process's. Read from /proc (Linux); elsewhere every figure is
None and the run says so instead of guessing.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def parse_stat(text: str) -> dict:
    """The fields of /proc/<pid>/stat this module needs (the command may contain spaces)."""
    head, _, rest = text.rpartition(")")
    fields = rest.split()
    return {
        "comm": head.partition("(")[2],
        "pgrp": int(fields[2]),
        # utime + stime, plus cutime + cstime: reaped children (recycled gunicorn workers)
        "ticks": sum(int(v) for v in fields[11:15]),
    }


def _processes() -> list[dict]:
    rows = []
    for entry in PROC.iterdir() if PROC.exists() else []:
        if not entry.name.isdigit():
            continue
        try:
            row = parse_stat((entry / "stat").read_text())
            if row["comm"] == "postgres":
                # A backend's title names its database: "postgres: user db 127.0.0.1(5432) idle"
                row["title"] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            rows.append(row)
        except (OSError, ValueError, IndexError):
            continue  # ended while we read
    return rows


def is_backend_of(title: str, database: str) -> bool:
    """Whether a PostgreSQL process title is a backend connected to `database`.

    "postgres: [cluster_name: ]user database host(port) state" (Debian sets cluster_name, e.g.
    "15/main").
    """
    parts = title.split()
    if not parts or parts[0] != "postgres:":
        return False
    if len(parts) > 1 and parts[1].endswith(":"):
        parts = parts[1:]
    return len(parts) >= 3 and parts[2] == database


def parse_machine(text: str) -> tuple[int, int]:
    """(busy, total) jiffies from /proc/stat's first line (idle and iowait are not busy)."""
    values = [int(v) for v in text.splitlines()[0].split()[1:]]
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal (guest is in user)
    return total - values[3] - values[4], total


@dataclass(frozen=True)
class Sample:
    groups: dict[int, int]  # process group -> ticks
    comms: dict[str, int]  # command name -> ticks
    machine: tuple[int, int] | None
    children_seconds: float  # this process's reaped children (the load generator)


def sample(groups: dict[str, int], *, database: str = "") -> Sample:
    """CPU used so far by each named process group, by PostgreSQL's backends connected to
    `database` (other databases' work, e.g. a test suite, is someone else's), and by the
    machine."""
    by_group: dict[int, int] = {pgid: 0 for pgid in groups.values()}
    by_comm: dict[str, int] = {}
    for row in _processes():
        if row["pgrp"] in by_group:
            by_group[row["pgrp"]] += row["ticks"]
        if row["comm"] == "postgres" and not is_backend_of(row.get("title", ""), database):
            continue
        by_comm[row["comm"]] = by_comm.get(row["comm"], 0) + row["ticks"]
    try:
        machine = parse_machine((PROC / "stat").read_text())
    except OSError:
        machine = None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Sample(by_group, by_comm, machine, usage.ru_utime + usage.ru_stime)


def spent(before: Sample, after: Sample, groups: dict[str, int]) -> dict[str, float] | None:
    """CPU-seconds between two samples: each group, PostgreSQL, the load generator, the rest."""
    if before.machine is None or after.machine is None:
        return None
    figures = {
        name: (after.groups.get(pgid, 0) - before.groups.get(pgid, 0)) / TICKS
        for name, pgid in groups.items()
    }
    # The stack's own backends (it keeps its connections: CONN_MAX_AGE).
    figures["postgresql"] = (
        after.comms.get("postgres", 0) - before.comms.get("postgres", 0)
    ) / TICKS
    figures["load generator"] = after.children_seconds - before.children_seconds
    busy = (after.machine[0] - before.machine[0]) / TICKS
    figures["machine busy"] = busy
    figures["capacity"] = (after.machine[1] - before.machine[1]) / TICKS
    figures["everything else"] = max(
        0.0, busy - sum(v for k, v in figures.items() if k not in ("machine busy", "capacity"))
    )
    return figures
