"""Issue 14: reminder emails carry List-Unsubscribe with one-click (RFC 8058) and link to a
preference page; a person who turns reminders off gets no further reminders (the outbox row is
skipped), and every other email still goes."""

import email
from datetime import timedelta
from email import policy

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings import tasks as booking_tasks
from evaluations import services as evaluation_services
from evaluations import tasks as evaluation_tasks
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Stage
from messaging.models import OutboundEmail
from people import reminders
from people.models import User
from tests.factories import BookingFactory, EventFactory, OrganisationDomainFactory, UserFactory

pytestmark = pytest.mark.django_db
SITE = "https://training.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def person(db):
    return UserFactory()


def _headers(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def _one_click_path(message) -> str:
    header = str(_headers(message)["List-Unsubscribe"]).strip()  # folded when long
    assert header.startswith(f"<{SITE}/") and header.endswith(">")
    return header[1:-1].removeprefix(SITE)


def _reminder(person, mailoutbox):
    booking = BookingFactory(person=person, event=EventFactory())
    booking_tasks.send_booking_email(booking.pk, "reminder")
    return booking


def test_a_reminder_carries_one_click_list_unsubscribe_and_the_preference_link(person, mailoutbox):
    _reminder(person, mailoutbox)
    (message,) = mailoutbox
    headers = _headers(message)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _one_click_path(message) == reverse(
        "people:reminders_one_click", args=[reminders.reminder_token(person)]
    )
    page = SITE + reverse("people:reminders", args=[reminders.reminder_token(person)])
    assert page in message.body
    assert page in message.alternatives[0].content


def test_the_one_click_post_turns_reminders_off_without_a_csrf_token_and_no_more_are_sent(
    person, mailoutbox
):
    _reminder(person, mailoutbox)
    path = _one_click_path(mailoutbox[0])
    mail_provider = Client(enforce_csrf_checks=True)  # no cookie, no form: RFC 8058's POST

    response = mail_provider.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "will get no more reminder emails" in response.content.decode()
    assert User.objects.get(pk=person.pk).reminder_emails is False
    # The next reminder is skipped (never sent later); a confirmation still goes.
    later = _reminder(person, mailoutbox)
    assert len(mailoutbox) == 1
    row = OutboundEmail.objects.get(booking=later, purpose="reminder")
    assert row.state == OutboundEmail.State.SKIPPED
    assert booking_tasks.send_booking_email(later.pk, "confirmation") is True
    assert len(mailoutbox) == 2


def test_evaluation_reminders_stop_too_but_the_invitation_still_goes(
    person, mailoutbox, monkeypatch
):
    ensure_default_questionnaires()
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())
    booking = BookingFactory(person=person, event=EventFactory())
    invitation = evaluation_services.invitation_create(booking=booking, stage=Stage.PRE)
    assert len(mailoutbox) == 1 and mailoutbox[0].extra_headers.get("List-Unsubscribe") is None

    assert evaluation_tasks.send_evaluation_email(
        booking.pk, "eval-pre-reminder1", "delegate", invitation.pk
    )
    reminder = mailoutbox[-1]
    assert reminder.subject.startswith("Reminder:")
    Client(enforce_csrf_checks=True).post(_one_click_path(reminder))

    sent = evaluation_tasks.send_evaluation_email(
        booking.pk, "eval-pre-reminder2", "delegate", invitation.pk
    )
    assert sent is False and len(mailoutbox) == 2
    row = OutboundEmail.objects.get(booking=booking, purpose="eval-pre-reminder2")
    assert row.state == OutboundEmail.State.SKIPPED


def test_opening_the_one_click_address_in_a_browser_changes_nothing(client, person):
    token = reminders.reminder_token(person)
    response = client.get(reverse("people:reminders_one_click", args=[token]))
    assert response.status_code == 302
    assert response.url == reverse("people:reminders", args=[token])
    assert User.objects.get(pk=person.pk).reminder_emails is True


def test_the_preference_page_needs_no_sign_in_and_turns_reminders_off_and_on(client, person):
    url = reverse("people:reminders", args=[reminders.reminder_token(person)])
    page = client.get(url)
    assert page.status_code == 200
    assert "Reminder emails are now <strong>on</strong>" in page.content.decode()
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"

    assert client.post(url, {"reminder_emails": "off"}).status_code == 302
    assert User.objects.get(pk=person.pk).reminder_emails is False
    assert "now <strong>off</strong>" in client.get(url).content.decode()

    client.post(url, {"reminder_emails": "on"})
    assert User.objects.get(pk=person.pk).reminder_emails is True


def test_the_preference_page_without_a_choice_shows_an_error_summary(client, person):
    url = reverse("people:reminders", args=[reminders.reminder_token(person)])
    page = client.post(url, {"reminder_emails": "maybe"})
    assert page.status_code == 400
    html = page.content.decode()
    assert "govuk-error-summary" in html and 'href="#reminder_emails"' in html
    assert User.objects.get(pk=person.pk).reminder_emails is True


def test_the_page_keeps_csrf_protection(person):
    url = reverse("people:reminders", args=[reminders.reminder_token(person)])
    response = Client(enforce_csrf_checks=True).post(url, {"reminder_emails": "off"})
    assert response.status_code == 403
    assert User.objects.get(pk=person.pk).reminder_emails is True


@pytest.mark.parametrize(
    "token",
    [
        "1:forged-signature",
        "not-a-token",
        "{pk}:{sig}x",  # the person's real token, changed
        "{other}:{sig}",  # someone else's id with this person's signature
    ],
)
def test_a_bad_or_forged_link_gives_a_clear_page_and_changes_nothing(client, person, token):
    real = reminders.reminder_token(person)
    other = UserFactory()
    token = token.format(pk=person.pk, sig=real.split(":", 1)[1], other=other.pk)

    for response in (
        client.get(reverse("people:reminders", args=[token])),
        client.post(reverse("people:reminders", args=[token]), {"reminder_emails": "off"}),
        Client(enforce_csrf_checks=True).post(reverse("people:reminders_one_click", args=[token])),
    ):
        assert response.status_code == 400
        assert "This link is not working" in response.content.decode()
    assert set(User.objects.values_list("reminder_emails", flat=True)) == {True}


def test_a_deleted_persons_link_gives_the_clear_page(client, person):
    token = reminders.reminder_token(person)
    person.delete()
    response = client.get(reverse("people:reminders", args=[token]))
    assert response.status_code == 400


def test_my_profile_links_to_the_signed_in_persons_own_reminder_setting(client, person):
    client.force_login(person)
    profile = client.get(reverse("people:profile")).content.decode()
    assert reverse("people:my_reminders") in profile
    assert (
        client.post(reverse("people:my_reminders"), {"reminder_emails": "off"}).status_code == 302
    )
    assert User.objects.get(pk=person.pk).reminder_emails is False
    profile = client.get(reverse("people:profile")).content.decode()
    assert "Reminder emails</dt>" in profile and ">Off</dd>" in profile


def test_my_reminders_needs_sign_in(client):
    response = client.get(reverse("people:my_reminders"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_line_managers_reminder_is_turned_off_only_by_an_account_with_that_address(
    mailoutbox, monkeypatch, settings
):
    """A line manager is a person here only if their address has an account: then their own
    setting counts, and their reminder carries their link."""
    ensure_default_questionnaires()
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())
    OrganisationDomainFactory(domain="council.gov.uk")
    manager = UserFactory(email="manager@council.gov.uk", reminder_emails=False)
    start = timezone.now() - timedelta(days=settings.EVAL_STAGE2_AFTER_DAYS + 1)
    event = EventFactory(start=start, end=start + timedelta(hours=3), status="delivered")
    booking = BookingFactory(
        event=event, status="attended", line_manager_email="Manager@council.gov.uk"
    )
    invitation = evaluation_services.invitation_create(
        booking=booking, stage=Stage.STAGE2, respondent="line_manager"
    )
    assert len(mailoutbox) == 1  # the invitation itself goes
    sent = evaluation_tasks.send_evaluation_email(
        booking.pk, "eval-stage2-lm-reminder1", "line_manager", invitation.pk
    )
    assert sent is False and len(mailoutbox) == 1

    User.objects.filter(pk=manager.pk).update(reminder_emails=True)
    assert evaluation_tasks.send_evaluation_email(
        booking.pk, "eval-stage2-lm-reminder2", "line_manager", invitation.pk
    )
    assert _one_click_path(mailoutbox[-1]) == reverse(
        "people:reminders_one_click", args=[reminders.reminder_token(manager)]
    )


def _manager_invitation(settings, booking_kwargs=None, address="lee.manager@council.gov.uk"):
    start = timezone.now() - timedelta(days=settings.EVAL_STAGE2_AFTER_DAYS + 1)
    event = EventFactory(start=start, end=start + timedelta(hours=3), status="delivered")
    booking = BookingFactory(event=event, status="attended", line_manager_email=address)
    invitation = evaluation_services.invitation_create(
        booking=booking, stage=Stage.STAGE2, respondent="line_manager"
    )
    return booking, invitation


def test_a_line_manager_without_an_account_turns_reminders_off_for_their_address(
    client, mailoutbox, monkeypatch, settings
):
    """No account at the address: the reminder still carries one-click List-Unsubscribe and a
    preference page; the choice covers every colleague who named that address, invitations
    sent later included, and is read after the claim."""
    from evaluations import manager_reminders

    ensure_default_questionnaires()
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())
    OrganisationDomainFactory(domain="council.gov.uk")
    booking, invitation = _manager_invitation(settings)
    assert not User.objects.filter(email__iexact="lee.manager@council.gov.uk").exists()
    assert evaluation_tasks.send_evaluation_email(
        booking.pk, "eval-stage2-lm-reminder1", "line_manager", invitation.pk
    )
    reminder = mailoutbox[-1]
    token = manager_reminders.manager_reminder_token(invitation)
    path = _one_click_path(reminder)
    assert path == reverse("evaluations:manager_reminders_one_click", args=[token])
    assert "lee.manager" not in path  # the address is not in the link
    page_link = reverse("evaluations:manager_reminders", args=[token])
    assert SITE + page_link in reminder.body

    # The page says whose reminders and what they are; a GET to the one-click address changes
    # nothing; the mail provider's POST (no cookie, no CSRF token) turns them off.
    page = client.get(page_link)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "For lee.manager@council.gov.uk." in text and "every colleague" in text
    assert client.get(path).status_code == 302
    assert manager_reminders.address_reminders_wanted("lee.manager@council.gov.uk")
    provider = Client(enforce_csrf_checks=True)
    done = provider.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "will get no more reminder emails" in done.content.decode()
    assert not manager_reminders.address_reminders_wanted("Lee.Manager@council.gov.uk")

    # No more reminders to the address, for this colleague or another named later...
    before = len(mailoutbox)
    assert not evaluation_tasks.send_evaluation_email(
        booking.pk, "eval-stage2-lm-reminder2", "line_manager", invitation.pk
    )
    other, later = _manager_invitation(settings, address="Lee.Manager@council.gov.uk")
    assert len(mailoutbox) == before + 1  # ...but the first email about a colleague still goes
    assert not evaluation_tasks.send_evaluation_email(
        other.pk, "eval-stage2-lm-reminder1", "line_manager", later.pk
    )
    assert len(mailoutbox) == before + 1

    # On again from the preference page: reminders come again.
    assert client.post(page_link, {"reminder_emails": "on"}).status_code == 302
    assert evaluation_tasks.send_evaluation_email(
        other.pk, "eval-stage2-lm-reminder2", "line_manager", later.pk
    )


def test_a_broken_line_manager_reminder_link_changes_nothing(client, settings, monkeypatch):
    from evaluations import manager_reminders

    ensure_default_questionnaires()
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: func())
    OrganisationDomainFactory(domain="council.gov.uk")
    _booking, invitation = _manager_invitation(settings)
    token = manager_reminders.manager_reminder_token(invitation)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (forged, "12", "nonsense:abc"):
        one_click = reverse("evaluations:manager_reminders_one_click", args=[bad])
        assert client.post(one_click).status_code == 400
        assert client.get(reverse("evaluations:manager_reminders", args=[bad])).status_code == 400
    page = client.post(reverse("evaluations:manager_reminders", args=[token]), {})
    assert page.status_code == 400 and "Select whether you want reminder emails" in (
        page.content.decode()
    )
    assert manager_reminders.address_reminders_wanted(invitation.email)
