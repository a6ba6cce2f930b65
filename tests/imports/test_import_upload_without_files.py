"""Issue 12, "Smaller": an upload with no file is refused on the form; no run is created."""

import pytest
from django.urls import reverse

from imports.forms import FILES_REQUIRED
from imports.models import ImportRun

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("data", [{"check_only": "on"}, {"check_only": ""}, {"files": ""}])
def test_an_upload_with_no_file_is_refused_with_a_field_error(client, lead, data):
    client.force_login(lead)

    response = client.post(reverse("imports:upload"), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {"files": [FILES_REQUIRED]}
    assert FILES_REQUIRED in response.text
    assert not ImportRun.objects.exists()
