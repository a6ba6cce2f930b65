"""Start-up (issue 17): the URLconf, and so `manage.py check`, every management command and every
worker, must not load the modules that compute, draw and write the reports. They are imported by
the views that use them (reports/views.py), when first used.

Each check runs in a fresh Python process (this one has imported everything already) and reads
its sys.modules: a module list, not a time, so it cannot fail because the machine is busy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

# Each took 30-400 ms to import (python -X importtime manage.py check, issue 17).
HEAVY = ("pandas", "numpy", "scipy", "matplotlib", "openpyxl", "docx", "icalendar", "holidays")

PROBE = """
import json, sys
import django
django.setup()
{action}
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}})))
"""


def _loaded_after(action: str) -> set[str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(action=action)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_importing_the_urlconf_loads_no_heavy_module():
    loaded = _loaded_after(
        "import config.urls\nfrom django.urls import reverse\nreverse('reports:uptake')"
    )
    assert "reports" in loaded  # the report views were imported, lazily or not
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_manage_py_check_loads_no_heavy_module():
    loaded = _loaded_after("from django.core.management import call_command\ncall_command('check')")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("from reports.report import report_build", {"pandas", "numpy"}),
        ("import reports.charts", {"matplotlib"}),
        ("import reports.workbook", {"openpyxl"}),
    ],
)
def test_the_probe_sees_a_heavy_module_when_one_is_imported(action, expected):
    """The probe itself works: importing the report modules does load them."""
    assert expected <= _loaded_after(action)
