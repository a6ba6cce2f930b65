"""Control characters stored anywhere (typed before they were cleaned on the way in, or put
there by hand) never break a download, and a bad `next` never breaks marking a quote."""

import csv
import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from core.text import has_unwanted
from evaluations.models import Answer
from people.models import Organisation

PERIOD = {"start": "2022-04-01", "end": "2023-03-31"}
CONTROLS = "\x01\x08\x0b\x0c\x1f\x7f"


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def test_a_publishable_answer_with_control_characters_downloads_as_docx(data, lead_client):
    answer = Answer.objects.get(text__startswith="I used it")
    Answer.objects.filter(pk=answer.pk).update(text=f"Very{CONTROLS} useful\tindeed")
    response = lead_client.post(
        reverse("reports:quote_mark", args=[answer.pk]), {"publishable": "1"}
    )
    assert response.status_code == 302
    download = lead_client.get(reverse("reports:annual_docx"), PERIOD)
    assert download.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(download.content)).paragraphs)
    assert "Very useful\tindeed" in text


def test_an_organisation_name_with_control_characters_downloads_as_xlsx_and_csv(data, lead_client):
    # Stored by hand (an update skips the model's cleaning), as old data might be.
    Organisation.objects.filter(pk=data.police.pk).update(name=f"West{CONTROLS} Midlands Police")
    download = lead_client.get(reverse("reports:uptake_xlsx"), PERIOD)
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.content))
    cells = [str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "West Midlands Police" in cells
    assert not any(has_unwanted(c) for c in cells)
    table = lead_client.get(reverse("reports:uptake_csv", args=["by_organisation"]), PERIOD)
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert ["West Midlands Police"] == [r[0] for r in rows if r and "Midlands" in r[0]]


def test_an_organisation_saved_with_control_characters_is_stored_clean(db):
    organisation = Organisation.objects.create(name="Dudley\x01 \x08Council\x0b ")
    organisation.refresh_from_db()
    assert organisation.name == "Dudley Council"


@pytest.mark.parametrize("bad_next", ["abc", "reports:quotes", "//evil.example/x", "javascript:x"])
def test_marking_a_quote_with_a_bad_next_goes_back_to_the_quotes(data, lead_client, bad_next):
    answer = Answer.objects.get(text__startswith="I used it")
    response = lead_client.post(
        reverse("reports:quote_mark", args=[answer.pk]), {"publishable": "1", "next": bad_next}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:quotes")


def test_marking_a_quote_with_a_good_next_goes_there(data, lead_client):
    answer = Answer.objects.get(text__startswith="I used it")
    target = reverse("reports:quotes") + "?start=2022-04-01"
    response = lead_client.post(
        reverse("reports:quote_mark", args=[answer.pk]), {"publishable": "1", "next": target}
    )
    assert response["Location"] == f"{target}#answer-{answer.pk}"
