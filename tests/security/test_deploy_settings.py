"""The smaller doors: no-store on personal pages, HSTS options, nginx's body limit, link keys kept
out of logs, messages kept in the session."""

import io
import logging
import os
import re
import runpy
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from gunicorn.config import Config

from people.log_filters import HideLinkKeys, hide_link_keys
from tests.factories import BookingFactory, EventFactory

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "AbCdEf123456:SiGnAtUrE-xyz"


# --- Cache-Control on pages with personal data ---------------------------------------------


@pytest.mark.django_db
def test_my_training_and_the_register_are_not_kept_by_browsers(client, practitioner, trainer):
    event = EventFactory()
    event.trainers.add(trainer)
    BookingFactory(event=event, person=practitioner, access_needs="Step-free access")
    client.force_login(practitioner)
    page = client.get(reverse("bookings:my_training"))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    client.force_login(trainer)
    for name in ("bookings:register", "bookings:register_print"):
        register = client.get(reverse(name, args=[event.pk]))
        assert register.status_code == 200, name
        assert "no-store" in register["Cache-Control"], name


@pytest.mark.django_db
def test_public_pages_may_still_be_cached(client):
    assert "no-store" not in client.get(reverse("privacy:notice")).get("Cache-Control", "")


# --- HSTS ------------------------------------------------------------------------------------


def _settings_with(**env) -> dict:
    code = (
        "import config.settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SECURE_HSTS")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {"seconds": out[0], "subdomains": out[1], "preload": out[2]}


def test_hsts_preload_and_subdomains_are_separate_and_off_by_default():
    assert _settings_with(SECURE_HSTS_SECONDS="31536000") == {
        "seconds": "31536000",
        "subdomains": "False",
        "preload": "False",
    }
    assert _settings_with(
        SECURE_HSTS_SECONDS="31536000", SECURE_HSTS_INCLUDE_SUBDOMAINS="true"
    ) == {"seconds": "31536000", "subdomains": "True", "preload": "False"}
    assert _settings_with(SECURE_HSTS_SECONDS="31536000", SECURE_HSTS_PRELOAD="true")[
        "preload"
    ] == ("True")


# --- nginx -----------------------------------------------------------------------------------

NGINX = (ROOT / "deploy/nginx/learning-loop.conf").read_text()


def _megabytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]


def test_nginx_accepts_an_upload_as_large_as_the_app_does():
    from imports.forms import MAX_UPLOAD_BYTES

    limit = re.search(r"client_max_body_size\s+(\w+);", NGINX).group(1)
    # The files plus the multipart form around them.
    assert _megabytes(limit) >= MAX_UPLOAD_BYTES + 1024 * 1024


def test_nginx_logs_the_route_not_the_link_key():
    # The same keyed routes as people.log_filters (Django and gunicorn).
    routes = re.findall(r"\((evaluations/r\|[^)]*)\)", NGINX)
    assert routes == ["evaluations/r|bookings/offer|people/reminders|evaluations/reminders"] * 2
    log_format = re.search(r"log_format learning_loop (.*?);", NGINX, re.S).group(1)
    assert "$request " not in log_format and "$request_uri" not in log_format
    assert "$http_referer" not in log_format
    assert "$learning_loop_uri" in log_format and "$learning_loop_referer" in log_format
    assert re.search(r"access_log \S+ learning_loop;", NGINX)


# --- gunicorn and Django logs ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"GET /evaluations/r/{TOKEN}/ HTTP/1.1", "GET /evaluations/r/<key>/ HTTP/1.1"),
        (f"https://x.org/bookings/offer/{TOKEN}/?a=1", "https://x.org/bookings/offer/<key>/?a=1"),
        (f"POST /people/reminders/{TOKEN}/one-click/", "POST /people/reminders/<key>/one-click/"),
        (
            f"GET /evaluations/reminders/{TOKEN}/ HTTP/1.1",
            "GET /evaluations/reminders/<key>/ HTTP/1.1",
        ),
        ("GET /courses/safeguarding/ HTTP/1.1", "GET /courses/safeguarding/ HTTP/1.1"),
    ],
)
def test_link_keys_are_hidden(text, expected):
    assert hide_link_keys(text) == expected


def test_gunicorn_s_access_log_shows_the_route_not_the_key():
    conf = runpy.run_path(str(ROOT / "deploy/gunicorn.conf.py"))
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = conf["logger_class"](cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/evaluations/r/{TOKEN}/",
        "PATH_INFO": f"/evaluations/r/{TOKEN}/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://training.example.org/evaluations/r/{TOKEN}/",
        "REMOTE_ADDR": "203.0.113.5",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(response, request, environ, timedelta(seconds=1))
    line = cfg.access_log_format % atoms
    assert TOKEN.split(":")[0] not in line and TOKEN.split(":")[0] not in str(atoms)
    assert "/evaluations/r/<key>/" in line
    record = logging.LogRecord(
        "gunicorn.error",
        logging.ERROR,
        "",
        0,
        "Error handling request %s",
        (environ["RAW_URI"],),
        None,
    )
    for f in logger.error_log.filters:
        f.filter(record)
    assert record.getMessage() == "Error handling request /evaluations/r/<key>/"


@pytest.mark.django_db
def test_django_s_log_of_a_bad_link_shows_the_route_not_the_key(client):
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, HideLinkKeys) for f in h.filters)
    ]
    assert handlers, "settings.LOGGING's console handler has no HideLinkKeys filter"
    stream = io.StringIO()
    old = handlers[0].setStream(stream)
    try:
        assert client.get(reverse("evaluations:answer", args=[TOKEN])).status_code == 404
        client.get(f"/bookings/offer/{TOKEN}/missing/")  # an unknown URL: "Not Found: ..."
    finally:
        handlers[0].setStream(old)
    written = stream.getvalue()
    assert "Not Found: /bookings/offer/<key>/missing/" in written
    assert TOKEN.split(":")[0] not in written


# --- messages --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_messages_are_kept_in_the_session_not_in_a_cookie(client, practitioner):
    assert settings.MESSAGE_STORAGE.endswith("SessionStorage")
    client.force_login(practitioner)
    response = client.post(
        reverse("people:profile"),
        {
            "full_name": "Pat Practitioner",
            "job_title": "Nurse",
            "organisation": str(practitioner.organisation_id),
        },
    )
    assert response.status_code == 302
    assert "messages" not in response.cookies
    assert "Your profile has been updated." in client.get(response["Location"]).content.decode()
