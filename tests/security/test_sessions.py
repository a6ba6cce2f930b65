import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _signed_in(client, user):
    client.force_login(user)
    assert client.get(reverse("bookings:my_training")).status_code == 200


def _after(seconds):
    import datetime as dt

    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds))


def test_staff_are_signed_out_after_thirty_idle_minutes(client, lead):
    _signed_in(client, lead)
    with _after(settings.SESSION_STAFF_IDLE_SECONDS + 5):
        response = client.get(reverse("bookings:my_training"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_stay_signed_in_while_active(client, trainer):
    _signed_in(client, trainer)
    with _after(settings.SESSION_STAFF_IDLE_SECONDS - 60):
        assert client.get(reverse("bookings:my_training")).status_code == 200


def test_practitioners_are_not_idle_timed_out_but_twelve_hours_is_the_limit(client, practitioner):
    _signed_in(client, practitioner)
    with _after(settings.SESSION_STAFF_IDLE_SECONDS + 5):
        assert client.get(reverse("bookings:my_training")).status_code == 200
    with _after(settings.SESSION_ABSOLUTE_SECONDS + 5):
        assert client.get(reverse("bookings:my_training")).status_code == 302


def test_logout_invalidates_the_session_on_the_server(client, practitioner):
    from django.contrib.sessions.models import Session

    _signed_in(client, practitioner)
    key = client.session.session_key
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_state_changes_without_a_csrf_token_are_refused(practitioner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(practitioner)
    assert strict.post(reverse("account_logout")).status_code == 403


def test_pages_send_a_csp_without_unsafe_inline_scripts(client):
    response = client.get(reverse("courses:catalogue"))
    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src and "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in csp


def test_check_deploy_passes_with_production_settings(tmp_path):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves; production never has it.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "production-secret-key-for-the-deploy-check" + "y" * 10,
        "ALLOWED_HOSTS": "training.example.org",
        "SECURE_COOKIES": "true",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _session_writes(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "session" in q["sql"]]


def test_activity_is_written_at_most_once_a_minute_not_on_every_page(client, trainer):
    url = reverse("bookings:my_training")
    _signed_in(client, trainer)

    assert _session_writes(client, url) == []  # seconds later: nothing to record
    with _after(settings.SESSION_ACTIVITY_RESOLUTION_SECONDS + 1):
        assert len(_session_writes(client, url)) == 1


def test_staff_active_every_few_minutes_stay_signed_in_past_thirty_minutes(client, trainer):
    url = reverse("bookings:my_training")
    _signed_in(client, trainer)
    for minutes in (20, 40, 60):  # each visit within 30 minutes of the one before
        with _after(minutes * 60):
            assert client.get(url).status_code == 200
    with _after(60 * 60 + settings.SESSION_STAFF_IDLE_SECONDS + 5):
        assert client.get(url).status_code == 302
