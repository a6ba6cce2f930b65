"""Fixtures the training needs survey tests share: priority areas and one open survey."""

from datetime import timedelta

import pytest
from django.utils import timezone

from competency import needs_services
from courses.models import PriorityArea


@pytest.fixture
def areas(db):
    return {
        "neglect": PriorityArea.objects.create(name="Neglect"),
        "exploitation": PriorityArea.objects.create(name="Exploitation"),
        "think_family": PriorityArea.objects.create(name="Think Family"),
    }


@pytest.fixture
def survey(lead, areas):
    """Open from today for 30 days: three topics in two of the three areas."""
    today = timezone.localdate()
    return needs_services.needs_survey_create(
        actor=lead,
        title="Needs 2027",
        intro="Help us plan.",
        opens_on=today,
        closes_on=today + timedelta(days=30),
        topics={
            areas["neglect"]: ["Recognising neglect", "Working with families"],
            areas["exploitation"]: ["Spotting grooming online"],
        },
    )
