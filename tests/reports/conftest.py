import pytest

from tests.reports.dataset import build


@pytest.fixture
def data(db):
    return build()
