"""Text cleaned where it comes in: no control characters but tab and line breaks."""

from __future__ import annotations

import re

# C0 controls but tab, line feed and carriage return (Excel's CRLF inside a cell becomes LF
# where line breaks are kept), DEL, and the C1 controls: invisible, and Word and Excel files
# cannot hold most of them.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_control_characters(value: str) -> str:
    """`value` without control characters; tab and line breaks are kept."""
    return CONTROL_CHARACTERS.sub("", value)
