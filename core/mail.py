"""One way to build every email: a plain-text and an HTML part from one branded base template,
and the headers every email carries (docs/email-delivery.md).

The wording lives once, in each email's .txt template. `compose` wraps that text in
`templates/email/base.txt` and turns the same text into the HTML part through
`templates/email/base.html`: paragraphs stay paragraphs, a line "Label: https://..." becomes a
link whose text is the label, any other address a link that shows itself. So no email is written
twice, and the two parts cannot say different things.
"""

from __future__ import annotations

import re
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

URL = re.compile(r"https?://[^\s<>\"]+")
# "My training: https://..." or "Take the place before Monday 12 January 2026, 09:30: https://..."
LABELLED_LINK = re.compile(r"^(?P<label>\S.*?):\s+(?P<url>https?://[^\s<>\"]+)$")

AUTO_SUBMITTED = "auto-generated"  # RFC 3834: no out-of-office replies to a robot
ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058


def site_domain() -> str:
    """The site's host name (from SITE_URL): Message-IDs are made on it, never @localhost."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def new_message_id() -> str:
    return make_msgid(domain=site_domain())


def _line_html(line: str) -> SafeString:
    labelled = LABELLED_LINK.match(line)
    if labelled and not URL.search(labelled["label"]):
        url, label = labelled["url"], labelled["label"]
        return format_html('<a href="{}" style="{}">{}</a>', url, LINK_STYLE, label)
    parts, last = [], 0
    for found in URL.finditer(line):
        url = found.group(0).rstrip(".,;)")
        end = found.start() + len(url)
        parts.append(escape(line[last : found.start()]))
        parts.append(format_html('<a href="{}" style="{}">{}</a>', url, LINK_STYLE, url))
        last = end
    parts.append(escape(line[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped or format_html


LINK_STYLE = "color:#1d70b8;text-decoration:underline;"


def text_to_paragraphs(text: str) -> list[SafeString]:
    """The plain text as HTML paragraphs (escaped; lines kept; addresses made links)."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.rstrip() for line in block.strip("\n").splitlines() if line.strip()]
        if lines:
            paragraphs.append(mark_safe("<br>\n".join(_line_html(line) for line in lines)))  # noqa: S308
    return paragraphs


def compose(
    *,
    subject: str,
    text: str,
    to: list[str],
    unsubscribe_url: str = "",
    preferences_url: str = "",
    from_email: str | None = None,
) -> EmailMultiAlternatives:
    """The email: `text` (its rendered .txt template) as the plain-text part and as HTML, both in
    the partnership's base template, with Reply-To, Auto-Submitted and a Message-ID on the site's
    domain. A reminder passes `unsubscribe_url` (the one-click address, RFC 8058) and
    `preferences_url` (the page where the person turns reminders off or on again)."""
    # Templates leave blank lines where an {% if %} said nothing: one blank line at most.
    text = re.sub(r"\n[ \t]*(\n[ \t]*)+\n", "\n\n", text.strip())
    context = {
        "subject": subject,
        "text": text,
        "paragraphs": text_to_paragraphs(text),
        "partnership_name": settings.PARTNERSHIP_NAME,
        "lead_mailbox": settings.LEAD_MAILBOX,
        "preferences_url": preferences_url,
        "site_url": settings.SITE_URL,
        "link_style": LINK_STYLE,
    }
    headers = {"Auto-Submitted": AUTO_SUBMITTED, "Message-ID": new_message_id()}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = ONE_CLICK
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("email/base.txt", context).strip() + "\n",
        from_email=from_email,
        to=to,
        reply_to=[settings.LEAD_MAILBOX] if settings.LEAD_MAILBOX else None,
        headers=headers,
    )
    message.attach_alternative(render_to_string("email/base.html", context), "text/html")
    return message
