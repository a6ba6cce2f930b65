"""The annual text's "mainly due to X" (issue 13, item 10): said only when X is a reason given and
strictly the most common; a tie, or more people giving no reason, is said neutrally."""

from datetime import date

import pytest

from reports import annual
from reports.annual import annual_section


def rows(*counts):
    return [{"reason": reason, "count": count} for reason, count in counts]


@pytest.mark.parametrize(
    ("reasons", "clause"),
    [
        (rows(("Work capacity", 5), ("Sickness", 3)), "mainly due to work capacity"),
        (
            rows(("Work capacity", 4), ("Sickness", 4)),
            "most often due to sickness and work capacity",
        ),
        (
            rows(("Work capacity", 4), ("Sickness", 4), ("Travel", 4), ("Other", 1)),
            "most often due to sickness, travel and work capacity",
        ),
        # More people gave no reason than gave the commonest one.
        (rows(("No reason given", 6), ("Sickness", 5)), "most often with no reason given"),
        (
            rows(("No reason given", 5), ("Sickness", 5)),
            "most often due to sickness or with no reason given",
        ),
        (rows(("Other", 7), ("Sickness", 2)), "most often for other reasons"),
        (rows(), None),
        (rows(("Sickness", 0)), None),
    ],
)
def test_mainly_only_for_a_reason_strictly_the_most_common(reasons, clause):
    assert annual.reason_clause(reasons) == clause


def test_the_annual_section_does_not_say_mainly_for_a_reason_fewer_gave_than_gave_none(data):
    """The year's non-attendance: no reason given 2, sickness 1; cancellations: work capacity 2."""
    section = annual_section(start=date(2022, 4, 1), end=date(2023, 3, 31))
    text = " ".join(section.training_data)
    assert "mainly due to sickness" not in text
    assert (
        "We found that 2 delegates cancelled their place prior to the course, mainly due to work "
        "capacity, and 3 did not attend on the day, most often with no reason given." in text
    )
