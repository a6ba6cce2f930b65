import pytest

from people import roles
from tests.factories import OrganisationFactory, UserFactory


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
def org_manager(db, organisation):
    return UserFactory(
        email="olive.manager@dudley.gov.uk", organisation=organisation, roles=[roles.ORG_MANAGER]
    )
