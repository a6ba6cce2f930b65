"""Issue 13 item 1 (imports): a pre-course answer dated after its event's start is a problem on
its file and line, whether the booking and event are in the files or were imported before."""

from datetime import timedelta

import pytest

from imports.services import import_history
from imports.summary import ImportErrors
from tests.factories import BookingFactory, EventFactory
from tests.imports.test_import import files, nothing_imported, replace  # noqa: F401

pytestmark = pytest.mark.django_db

# EV1 starts 2022-07-12T09:30 (London); BK1's pre-course answer is on line 2 of evaluations.csv.
PRE = "BK1,pre,2022-07-11T20:00,"
AFTER_START = (
    "evaluations.csv line 2: submitted_at '2022-07-12T09:31' is after the event's start "
    "(2022-07-12 09:30): a pre-course answer must come before the course"
)


def test_a_pre_course_answer_after_the_start_is_a_problem_on_its_line(catalogue, files):  # noqa: F811
    replace(files, "evaluations.csv", PRE, "BK1,pre,2022-07-12T09:31,")

    with pytest.raises(ImportErrors) as caught:
        import_history(files)

    assert caught.value.messages == [AFTER_START]
    assert nothing_imported()


def test_a_pre_course_answer_at_the_start_itself_is_accepted(catalogue, files):  # noqa: F811
    replace(files, "evaluations.csv", PRE, "BK1,pre,2022-07-12T09:30,")

    summary = import_history(files)

    assert summary.files["evaluations.csv"].imported == 5


def test_a_booking_imported_before_is_checked_against_its_events_start(catalogue, files):  # noqa: F811
    event = EventFactory(course=catalogue, external_ref="OLD-EV")
    BookingFactory(event=event, external_ref="OLD-BK")
    later = (event.start + timedelta(hours=1)).isoformat()
    for name in ("events.csv", "bookings.csv", "elearning.csv"):
        (files / name).unlink()
    (files / "evaluations.csv").write_text(
        f"booking_ref,stage,submitted_at,score\nOLD-BK,post,{later},4\nOLD-BK,pre,{later},3\n"
    )

    with pytest.raises(ImportErrors) as caught:
        import_history(files)

    [message] = caught.value.messages
    assert message.startswith(f"evaluations.csv line 3: submitted_at '{later}' is after the event")
