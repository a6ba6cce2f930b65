"""Evaluation, offer and reminder-preference links carry their key in the path; logs show the
route, never the key.

Used by Django's LOGGING (config/settings.py) and by gunicorn's access and error logs
(deploy/gunicorn.conf.py); nginx does the same with a map (deploy/nginx/learning-loop.conf).
No Django import here: gunicorn loads this before Django is set up.
"""

from __future__ import annotations

import logging
import re

# /evaluations/r/<key>/, /bookings/offer/<key>/, /people/reminders/<key>/ and
# /evaluations/reminders/<key>/, wherever they appear in a line (request line, path, Referer, a
# message quoting the URL).
_LINK_KEY = re.compile(
    r"(/(?:evaluations/r|bookings/offer|people/reminders|evaluations/reminders)/)[^/?#\s\"']+"
)
HIDDEN = "<key>"


def hide_link_keys(text):
    """The text with every link key replaced by <key>; anything not a string is returned as is."""
    if not isinstance(text, str):
        return text
    return _LINK_KEY.sub(rf"\g<1>{HIDDEN}", text)


class HideLinkKeys(logging.Filter):
    """A logging filter: the formatted message (and traceback text) without link keys."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = hide_link_keys(message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = hide_link_keys(record.exc_text)
        return True
