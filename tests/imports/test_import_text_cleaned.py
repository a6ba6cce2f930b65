"""Issue 12 item 6 (imports): a NUL byte or an over-long cell is a problem on its file and line,
never an "unexpected error"; other control characters are cleaned where the text comes in."""

import pytest

from evaluations.models import Answer
from imports.services import import_history
from imports.summary import ImportErrors
from tests.imports.test_import import files, nothing_imported, replace  # noqa: F401

pytestmark = pytest.mark.django_db

COMMENT = '"Really useful, I will use the tools."'


def test_a_nul_byte_is_a_problem_on_its_file_and_line(catalogue, files):  # noqa: F811
    replace(files, "evaluations.csv", COMMENT, '"Really\x00 useful"')

    with pytest.raises(ImportErrors) as caught:
        import_history(files)

    assert caught.value.messages == [
        "evaluations.csv line 3: comment contains a NUL character: is this file really text? "
        "Save it from Excel as “CSV UTF-8 (Comma delimited)”"
    ]
    assert nothing_imported()


def test_a_cell_over_128_kb_is_a_problem_on_its_file_and_line(catalogue, files):  # noqa: F811
    replace(files, "bookings.csv", "Pat Practitioner,", "P" * 140_000 + ",")

    with pytest.raises(ImportErrors) as caught:
        import_history(files)

    assert caught.value.messages[0] == (
        "bookings.csv line 2: a cell is longer than 131,072 characters (or a quote is not closed)"
    )
    assert nothing_imported()


def test_control_characters_are_removed_but_tab_and_line_breaks_kept(catalogue, files):  # noqa: F811
    replace(
        files, "evaluations.csv", COMMENT, '"Really\x01 useful,\x08\x0b\x1b\x7f\tthanks\r\nbye"'
    )

    import_history(files)

    texts = set(Answer.objects.values_list("text", flat=True))
    assert "Really useful,\tthanks\nbye" in texts
