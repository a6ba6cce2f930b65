"""Roles are Django groups, so the L&D lead manages them in the admin.

Everyone signed in is a practitioner; the groups add trainer, L&D lead and organisation manager.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

TRAINER = "Trainer"
LEAD = "L&D lead"
ORG_MANAGER = "Organisation manager"
ALL_ROLES = (TRAINER, LEAD, ORG_MANAGER)


def role_required(*roles: str):
    """Signed in (else redirect to sign-in) and holding one of `roles` (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_role(r) for r in roles):
                raise PermissionDenied("You do not have access to this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


lead_required = role_required(LEAD)
