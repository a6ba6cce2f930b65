import pytest
from django.urls import reverse


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Pages link {% static %} files; the manifest storage needs `collectstatic` first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def catalogue_pks(client):
    """GET the catalogue with the given filters; return the listed event ids and the response."""

    def get(**params):
        response = client.get(reverse("courses:catalogue"), params)
        assert response.status_code == 200
        return [event.pk for event in response.context["events"]], response

    return get
