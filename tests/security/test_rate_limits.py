import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

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
    ensure_default_questionnaires()
    good = services.invitation_create(
        booking=BookingFactory(status=Booking.Status.CONFIRMED), stage=Stage.PRE
    )
    good_url = reverse("evaluations:answer", args=[services.invitation_link_token(good)])
    limit = settings.EVAL_BAD_LINKS_PER_MINUTE
    for n in range(limit):
        bad = client.get(reverse("evaluations:answer", args=[f"guess-{n}:abc"]))
        assert bad.status_code == 404
    assert client.get(reverse("evaluations:answer", args=["guess-x:abc"])).status_code == 429
    assert client.get(good_url).status_code == 429  # nothing more from this IP this minute
    other_ip = client.get(good_url, REMOTE_ADDR="10.9.8.7")
    assert other_ip.status_code == 200


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
