"""Issue 14, "What arrives": every email has a plain-text and an HTML part from one branded base
template, Reply-To the L&D mailbox, Auto-Submitted, a Message-ID on the site's domain, and times
written one way (09:30). Checked by parsing the messages as a mail client would."""

import email
import re
from datetime import UTC, datetime
from email import policy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from bookings import tasks as booking_tasks
from evaluations import services as evaluation_services
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Stage
from messaging.models import OutboundEmail
from messaging.templatetags.email_format import email_day, email_time, email_when
from tests.factories import BookingFactory, EventFactory

pytestmark = pytest.mark.django_db

SITE = "https://training.example.org"
MAILBOX = "Training team <ld-team@partnership.example.org>"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.LEAD_MAILBOX = MAILBOX
    settings.PARTNERSHIP_NAME = "Dudley Safeguarding People Partnership"


def parse(message):
    """The message as a mail client sees it: headers, and its text and HTML parts."""
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    parts = {}
    for part in parsed.walk():
        if part.get_content_type() in ("text/plain", "text/html") and not part.get_filename():
            parts.setdefault(part.get_content_type(), part.get_content())
    return parsed, parts


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.tags, self._href, self._text = [], [], None, []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


def html_of(html):
    parser = Links()
    parser.feed(html)
    return parser


def _check_branded_parts(parsed, parts):
    assert parsed.get_content_type() in ("multipart/alternative", "multipart/mixed")
    text, html = parts["text/plain"], parts["text/html"]
    assert "Dudley Safeguarding People Partnership" in text
    assert "Dudley Safeguarding People Partnership" in html
    page = html_of(html)
    tags = [tag for tag, _ in page.tags]
    assert ("html", {"lang": "en-GB"}) in page.tags
    assert "h1" in tags
    # No remote images, nothing fetched when the email is opened (no tracking).
    assert "img" not in tags and "link" not in tags and "script" not in tags
    assert not re.search(r"""(src|background)\s*=""", html)
    # Every link has words of its own, and every link in the text is in the HTML too.
    assert page.links and all(text for _, text in page.links)
    for url in re.findall(r"https?://\S+", text):
        url = url.rstrip(".,;)")
        assert url in [href for href, _ in page.links], url
    return text, html, page


def _check_headers(parsed):
    assert parsed["Reply-To"] == MAILBOX
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Message-ID"].endswith("@training.example.org>")


def test_a_booking_email_has_both_parts_in_the_base_template_and_every_header(mailoutbox):
    booking = BookingFactory(event=EventFactory(), line_manager_email="")
    assert booking_tasks.send_booking_email(booking.pk, "confirmation") is True

    parsed, parts = parse(mailoutbox[0])
    text, html, page = _check_branded_parts(parsed, parts)
    _check_headers(parsed)
    row = OutboundEmail.objects.get(booking=booking, purpose="confirmation")
    assert parsed["Message-ID"] == f"<outbox-{row.pk}@training.example.org>"
    # The HTML says what the text says: "My training: <url>" became a link named My training.
    assert "Your place is booked." in text and "Your place is booked." in html
    assert (f"{SITE}/bookings/my-training/", "My training") in page.links
    # Not a reminder: nothing to unsubscribe from.
    assert parsed["List-Unsubscribe"] is None


def test_text_with_markup_in_it_is_escaped_in_the_html_part(mailoutbox):
    booking = BookingFactory(event=EventFactory(venue="Room <b>2</b> & hall"))
    booking_tasks.send_booking_email(booking.pk, "confirmation")

    _, parts = parse(mailoutbox[0])
    assert "Room <b>2</b> & hall" in parts["text/plain"]
    assert "Room &lt;b&gt;2&lt;/b&gt; &amp; hall" in parts["text/html"]


def test_an_evaluation_email_has_both_parts_and_every_header(mailoutbox, practitioner, monkeypatch):
    ensure_default_questionnaires()
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())
    booking = BookingFactory(person=practitioner)
    evaluation_services.invitation_create(booking=booking, stage=Stage.PRE)

    parsed, parts = parse(mailoutbox[-1])
    text, _, page = _check_branded_parts(parsed, parts)
    _check_headers(parsed)
    link = re.search(r"https?://\S+/evaluations/r/\S+/", text).group(0)
    assert link in [href for href, _ in page.links]


# --- one way of writing times ---------------------------------------------------------------


def test_times_are_24_hour_london_time_winter_and_summer():
    winter = datetime(2027, 1, 12, 9, 30, tzinfo=UTC)  # GMT
    summer = datetime(2027, 7, 1, 8, 30, tzinfo=UTC)  # BST: 09:30 in London
    assert email_when(winter) == "Tuesday 12 January 2027 at 09:30"
    assert email_time(summer) == "09:30"
    assert email_day(summer) == "Thursday 1 July 2027"
    assert email_time(datetime(2027, 1, 12, 14, 5, tzinfo=UTC)) == "14:05"


def test_a_booking_email_writes_the_course_time_as_09_30(mailoutbox):
    start = datetime(2027, 7, 1, 8, 30, tzinfo=UTC)  # 09:30 in London
    booking = BookingFactory(event=EventFactory(start=start, end=start.replace(hour=11, minute=0)))
    booking_tasks.send_booking_email(booking.pk, "confirmation")

    text = parse(mailoutbox[0])[1]["text/plain"]
    assert "When: Thursday 1 July 2027, 09:30 to 12:00" in text
    assert not re.search(r"\b\d{1,2}(:\d\d)?\s*[ap]\.?m\b", text)


def test_no_email_template_formats_a_date_or_time_its_own_way():
    """One format: every date and time in an email goes through messaging's email_format
    filters (templates/email_format), so none can drift back to "9:30 a.m." or "9.30"."""
    templates = Path(django_settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(templates))
        for path in templates.glob("*/email/*")
        if re.search(r"\|\s*(date|time)\b", path.read_text())
    ]
    assert offenders == []
