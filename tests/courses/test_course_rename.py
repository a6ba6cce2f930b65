import re
from datetime import date

import pytest

from courses.models import CourseName
from courses.services import (
    COURSE_RENAME_BEFORE_CURRENT,
    COURSE_RENAME_SAME_TITLE,
    COURSE_RENAME_TO_FORMER_TITLE,
    COURSE_TITLE_REQUIRED,
    COURSE_TITLE_TAKEN,
    CourseError,
    course_get_by_any_title,
    course_rename,
)
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db
RELAUNCH = date(2023, 4, 1)


@pytest.fixture
def course():
    return CourseFactory(title="Child Exploitation")


def _history(course):
    return [
        (n.title, n.valid_from, n.valid_until)
        for n in CourseName.objects.filter(course=course).order_by("pk")
    ]


def test_rename_keeps_the_old_title_until_the_day_before(course):
    renamed = course_rename(course=course, new_title="Harm Outside the Home", on=RELAUNCH)

    assert renamed.title == "Harm Outside the Home"
    course.refresh_from_db()
    assert course.title == "Harm Outside the Home"
    assert course.slug == renamed.slug
    assert _history(course) == [
        ("Child Exploitation", None, date(2023, 3, 31)),
        ("Harm Outside the Home", RELAUNCH, None),
    ]


def test_two_renames_chain_the_periods(course):
    course_rename(course=course, new_title="Harm Outside the Home", on=RELAUNCH)
    course_rename(course=course, new_title="Harm Beyond the Home", on=date(2024, 9, 1))

    assert _history(course) == [
        ("Child Exploitation", None, date(2023, 3, 31)),
        ("Harm Outside the Home", RELAUNCH, date(2024, 8, 31)),
        ("Harm Beyond the Home", date(2024, 9, 1), None),
    ]


def test_rename_trims_spaces_in_the_new_title(course):
    course_rename(course=course, new_title="  Harm  Outside the Home ", on=RELAUNCH)

    course.refresh_from_db()
    assert course.title == "Harm Outside the Home"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Child Exploitation", "former"),
        ("  child exploitation ", "former"),
        ("HARM OUTSIDE THE HOME", "current"),
        ("Harm outside the home  ", "current"),
        ("Graded Care Profile 2", None),
        ("", None),
    ],
)
def test_course_is_found_by_current_or_former_title(course, title, expected):
    course_rename(course=course, new_title="Harm Outside the Home", on=RELAUNCH)
    CourseFactory(title="Neglect Basics")

    found = course_get_by_any_title(title)

    assert (found.pk if found else None) == (course.pk if expected else None)


def test_current_title_wins_over_another_courses_former_title(course):
    # Two courses never share a title through course_rename; history typed into the admin can.
    other = CourseFactory(title="Think Family")
    CourseName.objects.create(course=course, title="Think Family", valid_until=date(2020, 1, 1))

    assert course_get_by_any_title("think family") == other


@pytest.mark.parametrize(
    ("new_title", "message"),
    [
        ("   ", COURSE_TITLE_REQUIRED),
        ("Child Exploitation", COURSE_RENAME_SAME_TITLE),
        ("Neglect Basics", COURSE_TITLE_TAKEN),
        ("Old Neglect Title", COURSE_TITLE_TAKEN),
    ],
)
def test_rename_refuses_empty_unchanged_or_taken_titles(course, new_title, message):
    neglect = CourseFactory(title="Neglect Basics")
    CourseName.objects.create(course=neglect, title="Old Neglect Title")

    with pytest.raises(CourseError) as error:
        course_rename(course=course, new_title=new_title, on=RELAUNCH)

    assert str(error.value) == message
    course.refresh_from_db()
    assert course.title == "Child Exploitation"
    assert not CourseName.objects.filter(course=course).exists()


def test_rename_back_to_a_former_title_is_refused(course):
    course_rename(course=course, new_title="Harm Outside the Home", on=RELAUNCH)

    with pytest.raises(CourseError, match=re.escape(COURSE_RENAME_TO_FORMER_TITLE)):
        course_rename(course=course, new_title="child exploitation", on=date(2024, 1, 1))


def test_rename_dated_before_the_current_title_began_is_refused(course):
    course_rename(course=course, new_title="Harm Outside the Home", on=RELAUNCH)

    with pytest.raises(CourseError) as error:
        course_rename(course=course, new_title="Harm Beyond the Home", on=RELAUNCH)

    assert str(error.value) == COURSE_RENAME_BEFORE_CURRENT.format(since=RELAUNCH)
    course.refresh_from_db()
    assert course.title == "Harm Outside the Home"


def test_a_change_of_capitals_corrects_the_title_without_new_history(course):
    course_rename(course=course, new_title="Harm outside the home", on=RELAUNCH)
    course_rename(course=course, new_title="Harm Outside the Home", on=date(2023, 5, 1))

    assert _history(course) == [
        ("Child Exploitation", None, date(2023, 3, 31)),
        ("Harm Outside the Home", RELAUNCH, None),
    ]
