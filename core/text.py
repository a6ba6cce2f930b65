"""One cleaning rule for text typed in anywhere, and for text written out to files.

Control characters (other than tab and newline) cannot be stored by PostgreSQL (NUL), cannot be
written to XML (so Word and Excel files refuse them), and are never meant. They are removed where
text comes in (forms, the public evaluation link, model saves of names) and again by every
exporter, so text stored before this rule cannot break a download either.
core is the lowest layer, so every app may use this module.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, lone surrogates, and the two
# non-characters XML forbids. A carriage return is turned into a newline first.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """The text without control characters; tab and newline kept, CR LF and CR become LF."""
    if not value:
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _UNWANTED.sub("", value)


def clean_line(value: str) -> str:
    """One line of text (a name): control characters removed, whitespace collapsed."""
    return " ".join(clean_text(value or "").split())


def has_unwanted(value: str) -> bool:
    """True if the text holds a character clean_text removes (a carriage return excepted)."""
    return bool(_UNWANTED.search(value or ""))


# A spreadsheet runs a cell starting with one of these as a formula (the full-width forms too:
# Excel reads ＝SUM(...) typed with an East Asian keyboard as =SUM(...)).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def spreadsheet_value(value) -> tuple[object, bool]:
    """(value, formula_like): text cleaned, and whether a spreadsheet would run it as a formula.

    The one rule for cells: CSV gives formula-like text a leading apostrophe (spreadsheet_cell);
    the workbook writes the text unchanged and sets the cell's quote prefix, so the reader sees
    exactly what was typed and Excel or LibreOffice still never run it."""
    if not isinstance(value, str):
        return value, False
    value = clean_text(value)
    return value, value.startswith(FORMULA_STARTS)


def spreadsheet_cell(value):
    """A value safe for a CSV cell: text cleaned, formula-like text given an apostrophe;
    numbers and other values unchanged."""
    value, formula_like = spreadsheet_value(value)
    return "'" + value if formula_like else value
