import pytest
from django.urls import reverse

from bookings.models import Booking
from evaluations import services
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Item, Questionnaire, Stage
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pre(db):
    return ensure_default_questionnaires()[Stage.PRE]


def _answer(questionnaire):
    invitation = services.invitation_create(
        booking=BookingFactory(status=Booking.Status.CONFIRMED), stage=Stage.PRE
    )
    data = {i.id: "3" for i in questionnaire.items.filter(kind=Item.Kind.RATING)}
    services.response_save(invitation=invitation, data=data, submit=True)


def test_a_superuser_can_edit_an_unanswered_questionnaire_in_the_admin(client, superuser, pre):
    client.force_login(superuser)
    page = client.get(reverse("admin:evaluations_questionnaire_change", args=[pre.pk]))
    assert page.status_code == 200
    assert b"Make a new version" not in page.content
    assert b'name="items-0-text"' in page.content


def test_an_answered_questionnaire_is_locked_and_a_new_version_is_made(client, superuser, pre):
    _answer(pre)
    client.force_login(superuser)
    url = reverse("admin:evaluations_questionnaire_change", args=[pre.pk])
    page = client.get(url)
    assert b"Make a new version to edit" in page.content
    assert b'name="items-0-text"' not in page.content  # questions are read-only
    response = client.post(reverse("admin:evaluations_questionnaire_new_version", args=[pre.pk]))
    new = Questionnaire.objects.get(family=pre.family, is_current=True)
    assert new.version == pre.version + 1
    assert response["Location"] == reverse("admin:evaluations_questionnaire_change", args=[new.pk])
    assert new.items.count() == pre.items.count()


def test_questionnaire_list_has_search_and_filters(client, superuser, pre):
    client.force_login(superuser)
    page = client.get(reverse("admin:evaluations_questionnaire_changelist") + "?q=Before")
    assert page.status_code == 200 and pre.name.encode() in page.content


@pytest.mark.parametrize("who", ["practitioner", "lead"])
def test_only_superusers_reach_the_questionnaire_admin(client, request, who, pre):
    """The lead builds questionnaires on /manage/questionnaires/, not in the admin."""
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("admin:evaluations_questionnaire_changelist"), follow=True)
    assert page.status_code == 403
