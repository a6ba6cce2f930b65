import re

import pytest
from django.core.cache import cache

from tests.factories import OrganisationDomainFactory, OrganisationFactory

# allauth's codes are letters and digits in groups, e.g. "MTDM-NCBV": never assume digits only.
CODE_RE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")


def code_from(message) -> str:
    """The one-time code in an email allauth sent."""
    match = CODE_RE.search(message.body)
    assert match, f"no code in email:\n{message.body}"
    return match.group(1)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Pages link {% static %} files; the manifest storage needs `collectstatic` first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    # allauth keeps rate-limit counters in the cache; tests must not share them.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def police(db):
    org = OrganisationFactory(name="West Midlands Police", sector="police", is_partner=True)
    OrganisationDomainFactory(organisation=org, domain="westmidlands.police.uk")
    return org


@pytest.fixture
def council(db):
    org = OrganisationFactory(name="Dudley Council", sector="local_authority")
    OrganisationDomainFactory(organisation=org, domain="dudley.gov.uk")
    return org
