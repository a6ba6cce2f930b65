"""The load test's CPU accounting (loadtest/cpu.py): parsing /proc and the arithmetic."""

from loadtest import cpu
from loadtest.run import cpu_line

# A real line's shape: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt
# cmajflt utime stime cutime cstime ...
STAT = "4242 (gunicorn: worker [x]) S 4200 4200 4200 0 -1 4194560 10 0 0 0 150 50 7 3 20 0 1 0"


def test_parse_stat_reads_the_group_and_all_four_cpu_fields_after_a_command_with_spaces():
    row = cpu.parse_stat(STAT)

    assert row == {"comm": "gunicorn: worker [x]", "pgrp": 4200, "ticks": 150 + 50 + 7 + 3}


def test_parse_machine_counts_idle_and_iowait_as_not_busy():
    busy, total = cpu.parse_machine("cpu  100 5 20 800 30 1 2 3 0 0\ncpu0 1 2 3 4 5 6 7 8\n")

    assert total == 100 + 5 + 20 + 800 + 30 + 1 + 2 + 3
    assert busy == total - 800 - 30


def _sample(web, postgres, machine, children):
    return cpu.Sample({10: web}, {"postgres": postgres, "python": 1}, machine, children)


def test_spent_splits_the_machine_into_the_stack_the_generator_and_the_rest():
    before = _sample(web=0, postgres=100, machine=(1_000, 10_000), children=1.0)
    after = _sample(web=3_000, postgres=600, machine=(10_000, 30_000), children=6.0)

    spent = cpu.spent(before, after, {"web": 10})

    ticks = cpu.TICKS
    assert spent["web"] == 3_000 / ticks
    assert spent["postgresql"] == 500 / ticks
    assert spent["load generator"] == 5.0
    assert spent["machine busy"] == 9_000 / ticks
    assert spent["capacity"] == 20_000 / ticks
    assert spent["everything else"] == 9_000 / ticks - 3_500 / ticks - 5.0


def test_without_proc_nothing_is_guessed():
    missing = cpu.Sample({}, {}, None, 0.0)

    assert cpu.spent(missing, missing, {}) is None
    assert cpu_line(None, requests=10) == "not measured (no /proc on this system)"


def test_the_line_gives_web_cpu_per_request_and_the_busy_share():
    spent = {
        "web": 30.0, "qcluster-1": 1.0, "qcluster-2": 2.0, "smtp-sink": 0.5, "postgresql": 4.0,
        "load generator": 8.0, "machine busy": 60.0, "capacity": 120.0, "everything else": 14.5,
    }  # fmt: skip

    line = cpu_line(spent, requests=3_000)

    assert "web tier 30.0 s (10 ms a request)" in line
    assert "workers 3.0 s" in line
    assert "everything else on the machine 14.5 s" in line
    assert "busy 60 of 120 CPU-seconds (50%)" in line


def test_a_live_sample_sees_this_process_group():
    import os

    group = os.getpgrp()
    live = cpu.sample({"me": group})

    assert live.machine is not None and live.machine[1] > 0
    assert live.groups[group] > 0  # this test process has used CPU by now


def test_only_the_stacks_own_database_backends_count_as_its_postgresql():
    assert cpu.is_backend_of(
        "postgres: postgres learning_loop_load 127.0.0.1(5432) idle", "learning_loop_load"
    )
    assert not cpu.is_backend_of(
        "postgres: postgres test_other 127.0.0.1(5432) SELECT", "learning_loop_load"
    )
    assert cpu.is_backend_of(
        "postgres: 15/main: postgres learning_loop_load 127.0.0.1(53086) SELECT",
        "learning_loop_load",
    )
    assert not cpu.is_backend_of("postgres: 15/main: checkpointer ", "learning_loop_load")
    assert not cpu.is_backend_of("postgres: checkpointer ", "learning_loop_load")
    assert not cpu.is_backend_of(
        "/usr/lib/postgresql/15/bin/postgres -D /var/lib/x", "learning_loop_load"
    )
