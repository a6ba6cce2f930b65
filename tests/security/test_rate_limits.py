import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking
from evaluations import services
from evaluations.defaults import ensure_default_questionnaires
from evaluations.models import Stage
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_cache_is_shared_not_a_dummy():
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in (
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    )


def test_more_than_twenty_bad_links_a_minute_from_one_ip_get_429(client):
    limit = settings.EVAL_BAD_LINKS_PER_MINUTE
    for n in range(limit):
        bad = client.get(reverse("evaluations:answer", args=[f"guess-{n}:abc"]))
        assert bad.status_code == 404
    assert client.get(reverse("evaluations:answer", args=["guess-x:abc"])).status_code == 429
    other_ip = client.get(
        reverse("evaluations:answer", args=["guess-y:abc"]), REMOTE_ADDR="10.9.8.7"
    )
    assert other_ip.status_code == 404


def test_a_shared_proxy_over_the_bad_link_limit_still_opens_valid_links(client):
    """A council's staff all come from one proxy address: guesses (or typos) from some of them
    never stop the others' real links."""
    ensure_default_questionnaires()
    good = services.invitation_create(
        booking=BookingFactory(status=Booking.Status.CONFIRMED), stage=Stage.PRE
    )
    good_url = reverse("evaluations:answer", args=[services.invitation_link_token(good)])
    for n in range(settings.EVAL_BAD_LINKS_PER_MINUTE + 5):
        client.get(reverse("evaluations:answer", args=[f"typo-{n}:abc"]))
    assert client.get(reverse("evaluations:answer", args=["typo:abc"])).status_code == 429
    assert client.get(good_url).status_code == 200


def test_a_real_link_that_no_longer_works_is_limited_for_that_link_only(client):
    ensure_default_questionnaires()
    expired = services.invitation_create(
        booking=BookingFactory(status=Booking.Status.CONFIRMED), stage=Stage.PRE
    )
    type(expired).objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    good = services.invitation_create(
        booking=BookingFactory(status=Booking.Status.CONFIRMED), stage=Stage.PRE
    )
    expired_url = reverse("evaluations:answer", args=[services.invitation_link_token(expired)])
    good_url = reverse("evaluations:answer", args=[services.invitation_link_token(good)])
    for _ in range(settings.EVAL_BAD_LINKS_PER_MINUTE):
        assert client.get(expired_url).status_code == 404
    assert client.get(expired_url).status_code == 429
    assert client.get(expired_url, REMOTE_ADDR="10.9.8.7").status_code == 429  # per link
    assert client.get(good_url).status_code == 200  # the address is not blocked


def test_admin_login_goes_through_the_rate_limited_sign_in(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_sign_in_is_throttled_per_account_after_failed_attempts(client, practitioner):
    url = reverse("account_login")
    for _ in range(5):
        client.post(url, {"login": practitioner.email, "password": "wrong-password-1"})
    right = client.post(url, {"login": practitioner.email, "password": "correct-horse-battery"})
    assert b"Too many failed login attempts" in right.content
    assert "_auth_user_id" not in client.session


def test_sign_in_is_rate_limited_per_ip(client):
    url = reverse("account_login")
    statuses = [
        client.post(url, {"login": f"nobody{n}@example.org", "password": "x" * 12}).status_code
        for n in range(35)
    ]
    assert 429 in statuses


def test_behind_a_trusted_proxy_the_forwarded_client_ip_is_limited(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    limit = settings.EVAL_BAD_LINKS_PER_MINUTE
    for n in range(limit):
        client.get(
            reverse("evaluations:answer", args=[f"g{n}:x"]), HTTP_X_FORWARDED_FOR="203.0.113.5"
        )
    blocked = client.get(
        reverse("evaluations:answer", args=["g:x"]), HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    other = client.get(
        reverse("evaluations:answer", args=["g:x"]), HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert blocked.status_code == 429
    assert other.status_code == 404


def test_twelve_guesses_at_the_lead_s_password_through_the_admin_sign_in_are_refused(
    client, practitioner, lead
):
    """A signed-in practitioner used to get Django's admin form, which checks passwords without
    any limit; now the admin sign-in never checks one (allauth's sign-in does)."""
    client.force_login(practitioner)
    url = reverse("admin:login")
    for n in range(12):
        guess = client.post(url, {"username": lead.email, "password": f"wrong-guess-{n}"})
        assert guess.status_code == 403
    right = client.post(url, {"username": lead.email, "password": "correct-horse-battery"})
    assert right.status_code == 403
    assert client.session["_auth_user_id"] == str(practitioner.pk)


def test_signed_out_guesses_through_the_admin_sign_in_check_nothing(client, lead):
    url = reverse("admin:login")
    for n in range(12):
        guess = client.post(url, {"username": lead.email, "password": f"wrong-guess-{n}"})
        assert guess.status_code == 302
        assert guess["Location"].startswith(reverse("account_login"))
    client.post(url, {"username": lead.email, "password": "correct-horse-battery"})
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_sends_a_superuser_back_to_the_admin(client, superuser):
    response = client.get(reverse("admin:login"), {"next": "/admin/people/user/"})
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2Fpeople%2Fuser%2F"
    client.force_login(superuser)
    assert client.get(reverse("admin:login"))["Location"] == reverse("admin:index")


def test_the_admin_sign_in_refuses_the_lead(client, lead):
    client.force_login(lead)
    assert client.get(reverse("admin:login")).status_code == 403


def test_the_admin_password_change_goes_to_the_rate_limited_form(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:password_change")
    wrong = {"old_password": "wrong", "new_password1": "N3w-pass-2026!", "new_password2": "x"}
    response = client.post(url, wrong)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_change_password")


def test_twelve_wrong_current_passwords_on_the_password_change_form_meet_a_refusal(client, lead):
    client.force_login(lead)
    url = reverse("account_change_password")
    statuses = [
        client.post(
            url,
            {
                "oldpassword": f"wrong-{n}",
                "password1": "N3w-pass-2026!",
                "password2": "N3w-pass-2026!",
            },
        ).status_code
        for n in range(12)
    ]
    assert 429 in statuses


def test_twelve_wrong_passwords_on_the_reauthenticate_form_meet_a_refusal(client, lead):
    client.force_login(lead)
    url = reverse("account_reauthenticate")
    statuses = [client.post(url, {"password": f"wrong-{n}"}).status_code for n in range(12)]
    assert 429 in statuses
