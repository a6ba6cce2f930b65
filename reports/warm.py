"""Warming: the work a report page would otherwise do on its first visit, done beforehand.

- `warm_imports`: import the modules that compute and draw (pandas, scipy.stats, matplotlib,
  openpyxl), about 1.5 s, and draw one chart (matplotlib's fonts and caches). The URLconf does
  not import them (start-up time, issue 17); a web worker calls this once before its first
  request (deploy/gunicorn.conf.py post_worker_init).
- `report_charts_draw`: draw the charts of the pages first seen - the uptake page as it opens
  (this reporting year, no filters) for the whole partnership and for each organisation that has
  a manager - into the shared cache. Charts are cached by a hash of the data they show
  (reports.charts), so a chart already drawn costs its key only, and a change of data gives a new
  key: run after each import (imports.services.import_history, demo.load_demo), and every
  15 minutes for the bookings and answers that change the figures in between (the schedule
  "Report charts: draw the changed ones", reports/migrations/0004_report_charts_schedule.py).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def warm_imports() -> None:
    """Import the report modules, and draw one small chart (not cached): matplotlib loads its
    fonts and builds its text caches on the first drawing, about as long as the imports."""
    import matplotlib

    import reports.report  # noqa: F401 - pandas, numpy, scipy.stats
    import reports.workbook  # noqa: F401 - openpyxl
    from reports.charts import RC, _draw, _render

    with matplotlib.rc_context(RC):
        fig = _draw("barh", "Warm-up", ["A long label that wraps"], {"A": [1.0], "B": [2.0]}, "%")
    _render(fig, "svg")


def _opening_views():
    """(organisation or None, shared) of each opening view of the uptake page."""
    from people.models import Organisation, User
    from people.roles import ORG_MANAGER

    yield None
    managed = User.objects.filter(groups__name=ORG_MANAGER, organisation__isnull=False)
    yield from Organisation.objects.filter(pk__in=managed.values("organisation_id")).order_by("pk")


def report_charts_draw() -> dict:
    """Draw (into the cache) every chart of the uptake page's opening views; counts back."""
    from reports.forms import ReportForm

    drawn = views = 0
    for organisation in _opening_views():
        form = ReportForm({}, organisation=organisation)
        if not form.is_valid():  # pragma: no cover - the defaults are valid
            logger.warning("Report charts: the opening view is not valid: %s", form.errors)
            continue
        start, end = form.period()
        drawn += view_charts_draw(
            start=start, end=end, filters=form.filters(), shared=organisation is not None
        )
        views += 1
    return {"views": views, "charts": drawn}


def view_charts_draw(*, start, end, filters=None, shared: bool = False) -> int:
    """Draw (into the cache) the charts of one view of the uptake page; how many it has."""
    from reports.charts import chart_image
    from reports.report import report_build
    from reports.tables import report_tables

    report = report_build(start=start, end=end, filters=filters, shared=shared)
    return sum(chart_image(table, "svg") is not None for table in report_tables(report))
