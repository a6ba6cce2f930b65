"""Property-based tests for the characters that used to break things: control characters
(\\x00 \\x01 \\x08 \\x0b ...), lone carriage returns, full-width formula starts (＝ ＋ － ＠).

core.text.clean_text is the one cleaning rule; every exporter writes through it, and the public
evaluation link cleans what it receives before storing it (a NUL was a DataError on PostgreSQL).
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from bookings.models import Booking
from core.text import FORMULA_STARTS, clean_text, has_unwanted, spreadsheet_cell
from evaluations import services as evaluation_services
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Answer, Item, Stage
from reports.exporters import escape_cell
from tests.factories import BookingFactory, EventFactory
from tests.security.test_fuzz_forms import FUZZ, post, rolled_back

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation_world(db, monkeypatch):
    """An attended booking's post-course evaluation link (no emails: nothing runs on commit)."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: None)
    ensure_default_questionnaires()
    start = timezone.now() - timedelta(days=2)
    event = EventFactory(start=start, end=start + timedelta(hours=3), status="delivered")
    booking = BookingFactory(event=event, status=Booking.Status.ATTENDED)
    invitation = evaluation_services.invitation_create(booking=booking, stage=Stage.POST)
    token = evaluation_services.invitation_link_token(invitation)
    return {
        "invitation": invitation,
        "items": list(invitation.questionnaire.items.all()),
        "url": reverse("evaluations:answer", args=[token]),
    }


CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.characters(
    min_codepoint=0x7F, max_codepoint=0x9F
)
FULL_WIDTH = st.sampled_from(["＝", "＋", "－", "＠"])
SEEN_BREAKING = st.sampled_from(["\x00", "\x01", "\x08", "\x0b", "\r", "\ufffe"])
ANY = st.characters(blacklist_categories=("Cs",))
nasty_text = st.text(ANY | CONTROL | FULL_WIDTH | SEEN_BREAKING, max_size=60)


@FUZZ
@given(text=nasty_text)
def test_clean_text_removes_every_unwanted_character_and_keeps_tab_and_newline(text):
    cleaned = clean_text(text)
    assert not has_unwanted(cleaned)
    assert "\r" not in cleaned
    assert clean_text(cleaned) == cleaned  # idempotent
    assert cleaned.count("\t") == text.count("\t")
    assert cleaned.count("\n") >= text.count("\n") - text.count("\r\n")


@FUZZ
@given(text=nasty_text)
def test_a_spreadsheet_cell_never_starts_a_formula_and_openpyxl_and_csv_accept_it(text):
    cell = spreadsheet_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert escape_cell(text) == cell
    sheet = Workbook().active
    sheet.append([cell])  # openpyxl raises IllegalCharacterError on a control character
    assert sheet["A1"].value in (cell, None)  # openpyxl keeps "" or None for an empty cell
    assert sheet["A1"].value or not cell


@pytest.mark.parametrize("start", ["＝", "＋", "－", "＠"])
def test_full_width_formula_starts_are_escaped(start):
    assert escape_cell(f"{start}SUM(1,1)") == f"'{start}SUM(1,1)"


@FUZZ
@given(text=nasty_text)
def test_word_accepts_any_cleaned_text(text):
    document = Document()
    document.add_paragraph(clean_text(text))
    document.save(io.BytesIO())  # python-docx raises ValueError on a control character


@given(text=nasty_text.filter(lambda t: clean_text(t).strip()))
@FUZZ
def test_the_public_link_stores_any_text_answer_cleaned(client, evaluation_world, text):
    items, url = evaluation_world["items"], evaluation_world["url"]
    text_item = next(i for i in items if i.kind == Item.Kind.TEXT)
    with rolled_back():
        post(client, url, {f"item-{text_item.id}": text})  # save, not submit
        stored = Answer.objects.get(
            item=text_item, response__invitation__pk=evaluation_world["invitation"].pk
        )
        assert stored.text == clean_text(text).strip()


def test_a_nul_byte_in_a_text_answer_is_stored_without_it(client, evaluation_world):
    items, url = evaluation_world["items"], evaluation_world["url"]
    text_item = next(i for i in items if i.kind == Item.Kind.TEXT)
    response = client.post(url, {f"item-{text_item.id}": "Good\x00 course\x01\x08\x0b"})
    assert response.status_code == 200
    assert Answer.objects.get(item=text_item).text == "Good course"
