"""Session lifetime: 12 hours absolute for everyone, 30 minutes idle for staff roles.

Activity is recorded to the minute (settings.SESSION_ACTIVITY_RESOLUTION_SECONDS), so a page view
within a minute of the last one does not write the session.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import patch_cache_control

STARTED = "session_started_at"
LAST_SEEN = "session_last_seen_at"


def _is_staff_role(user) -> bool:
    return user.is_staff or user.is_lead or user.is_trainer or user.is_org_manager


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.get(STARTED)
            last_seen = request.session.get(LAST_SEEN, now)
            if started is None:
                request.session[STARTED] = started = now
            too_old = now - started > settings.SESSION_ABSOLUTE_SECONDS
            idle = now - last_seen > settings.SESSION_STAFF_IDLE_SECONDS
            if too_old or (idle and _is_staff_role(user)):
                logout(request)  # flushes the server-side session too
            elif now - last_seen >= settings.SESSION_ACTIVITY_RESOLUTION_SECONDS or (
                LAST_SEEN not in request.session
            ):
                # Recorded at most once a minute: writing the session on every request is a
                # database UPDATE per page view (a booking rush is thousands of them) for an
                # idle limit of 30 minutes that a minute's resolution does not change.
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class PrivatePagesMiddleware:
    """A page for a signed-in person shows their data (access needs on a booking, a register,
    My training): no browser or proxy may keep it. A response that sets its own Cache-Control
    (a static chart, say) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
