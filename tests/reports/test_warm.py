"""Charts drawn once per change of data, before the first visit (reports.warm, issue 17)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from imports.services import import_history
from people import roles
from reports import charts
from reports.warm import report_charts_draw
from tests.factories import UserFactory
from tests.imports.test_import import GOOD


def _no_drawing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a chart was drawn during the request")

    monkeypatch.setattr(charts, "_draw", refuse)


@pytest.fixture(autouse=True)
def empty_cache(db):
    cache.clear()
    yield
    cache.clear()


def test_the_opening_pages_find_every_chart_drawn(data, client, lead, time_machine, monkeypatch):
    time_machine.move_to("2023-02-10 12:00 +00:00")  # the data's reporting year is this year
    manager = UserFactory(organisation=data.police, roles=[roles.ORG_MANAGER])
    drawn = report_charts_draw()
    assert drawn["views"] == 2  # the partnership, and the one organisation with a manager
    assert drawn["charts"] >= 8
    _no_drawing(monkeypatch)
    for user in (lead, manager):
        client.force_login(user)
        response = client.get(reverse("reports:uptake"))
        assert response.status_code == 200
        assert response.content.count(b"data:image/svg+xml;base64,") >= 4


def test_without_warming_the_first_visit_draws(data, client, lead, time_machine, monkeypatch):
    """The check above can fail: a page whose charts are not in the cache draws them."""
    time_machine.move_to("2023-02-10 12:00 +00:00")
    _no_drawing(monkeypatch)
    client.force_login(lead)
    with pytest.raises(AssertionError, match="a chart was drawn"):
        client.get(reverse("reports:uptake"))


def test_a_second_run_draws_nothing_new(data, time_machine, monkeypatch):
    time_machine.move_to("2023-02-10 12:00 +00:00")
    first = report_charts_draw()
    _no_drawing(monkeypatch)
    assert report_charts_draw() == first


def test_an_import_queues_the_drawing_and_a_dry_run_does_not(catalogue, settings, monkeypatch):
    calls = []
    monkeypatch.setattr("reports.warm.report_charts_draw", lambda: calls.append(1) or {})
    settings.REPORT_CHARTS_AFTER_IMPORT = True
    import_history(GOOD, dry_run=True)
    assert calls == []
    import_history(GOOD)
    assert calls == [1]  # tasks run inline in the tests (Q_CLUSTER sync)


def test_an_import_without_the_setting_queues_nothing(catalogue, settings, monkeypatch):
    calls = []
    monkeypatch.setattr("reports.warm.report_charts_draw", lambda: calls.append(1) or {})
    settings.REPORT_CHARTS_AFTER_IMPORT = False
    import_history(GOOD)
    assert calls == []
