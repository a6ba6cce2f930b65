from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import CancellationReason
from tests.factories import EventFactory, UserFactory


@pytest.fixture
def event(db):
    return EventFactory(capacity=2, start=timezone.now() + timedelta(days=20))


@pytest.fixture
def reasons(db):
    return {
        "capacity": CancellationReason.objects.create(label="Work capacity"),
        "other": CancellationReason.objects.create(label="Other", needs_detail=True),
    }


@pytest.fixture
def make_person(db):
    def make(organisation=None, **kwargs):
        if organisation is not None:
            kwargs["organisation"] = organisation
        return UserFactory(**kwargs)

    return make
