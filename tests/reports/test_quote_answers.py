"""reports.selectors.quote_answers: the free-text answers the quotes page lists and filters."""

from datetime import date

from evaluations.models import Item
from evaluations.services import answer_set_publishable
from reports.selectors import quote_answers

YEAR = {"start": date(2022, 4, 1), "end": date(2023, 3, 31)}


def test_text_answers_of_the_period_newest_first_filtered_by_their_mark(data):
    every = list(quote_answers(**YEAR))
    assert len(every) >= 2
    assert all(a.text and a.item.kind == Item.Kind.TEXT for a in every)
    assert all(a.response.invitation.booking.event.status == "delivered" for a in every)
    submitted = [a.response.submitted_at for a in every]
    assert submitted == sorted(submitted, reverse=True)
    publishable = list(quote_answers(**YEAR, show="publishable"))
    unmarked = list(quote_answers(**YEAR, show="unmarked"))
    assert all(a.is_publishable for a in publishable) and publishable
    assert not any(a.is_publishable for a in unmarked) and unmarked
    assert sorted(publishable + unmarked, key=every.index) == every

    marked = answer_set_publishable(answer=unmarked[0], publishable=True)

    assert marked in quote_answers(**YEAR, show="publishable")
    assert marked not in quote_answers(**YEAR, show="unmarked")
    assert list(quote_answers(**YEAR)) == every
    assert list(quote_answers(start=date(2000, 1, 1), end=date(2000, 12, 31))) == []
