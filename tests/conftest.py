from datetime import date

import pytest

from bookings.models import CancellationReason
from courses.models import CourseName, PriorityArea
from people import roles
from tests.factories import CourseFactory, OrganisationFactory, UserFactory


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Dudley Council")


@pytest.fixture
def practitioner(db, organisation):
    return UserFactory(email="pat.practitioner@dudley.gov.uk", organisation=organisation)


@pytest.fixture
def trainer(db):
    return UserFactory(email="tess.trainer@dudley.gov.uk", roles=[roles.TRAINER])


@pytest.fixture
def lead(db):
    return UserFactory(email="lee.lead@dudley.gov.uk", roles=[roles.LEAD], is_staff=True)


@pytest.fixture
def superuser(db):
    """The only person the Django admin lets in (the lead works from /manage/)."""
    return UserFactory(email="root@dudley.gov.uk", is_staff=True, is_superuser=True)


@pytest.fixture
def org_manager(db, organisation):
    return UserFactory(
        email="olive.manager@dudley.gov.uk", organisation=organisation, roles=[roles.ORG_MANAGER]
    )


@pytest.fixture
def catalogue(db, practitioner):
    """What the import's good files (fixtures_import/good) expect the app to hold already: two
    priority areas, a renamed course, a cancellation reason, a person. The course is returned."""
    exploitation = PriorityArea.objects.create(name="Exploitation")
    PriorityArea.objects.create(name="Neglect")
    hoth = CourseFactory(
        title="Harm Outside the Home", slug="harm-outside-the-home", priority_area=exploitation
    )
    CourseName.objects.create(
        course=hoth,
        title="Child Exploitation: Recognising and Responding",
        valid_until=date(2022, 9, 30),
    )
    CourseName.objects.create(course=hoth, title=hoth.title, valid_from=date(2022, 10, 1))
    CancellationReason.objects.create(label="Sickness")
    return hoth
