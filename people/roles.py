"""Roles are Django groups; what each role may do in the admin is the explicit list below.

Everyone signed in is a practitioner; the groups add trainer, L&D lead and organisation manager.
`ROLE_PERMISSIONS` is the only place a role's admin permissions come from: migration
people/0005 sets each group to exactly its list, and tests/security/test_roles.py fails if any
role group ever holds a permission outside it (so a later migration cannot widen it silently).
Scheduled tasks, permissions, groups, staff and superuser flags are for superusers only.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

TRAINER = "Trainer"
LEAD = "L&D lead"
ORG_MANAGER = "Organisation manager"
ALL_ROLES = (TRAINER, LEAD, ORG_MANAGER)

_EDIT = ("view", "add", "change", "delete")
_VIEW = ("view",)


def _perms(app: str, model: str, actions: tuple[str, ...]) -> set[str]:
    return {f"{app}.{action}_{model}" for action in actions}


# "app_label.codename", one line per model. Trainers and organisation managers work only through
# the app's own pages (each view checks the role), so their groups hold no admin permission.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    TRAINER: frozenset(),
    ORG_MANAGER: frozenset(),
    LEAD: frozenset(
        set()
        # people: the lead manages people (never staff, superuser or permissions: see admin.py)
        | _perms("people", "user", _EDIT)
        | _perms("people", "organisation", _EDIT)
        | _perms("people", "organisationdomain", _EDIT)
        | _perms("people", "organisationlog", _VIEW)
        # courses and bookings
        | _perms("courses", "priorityarea", _EDIT)
        | _perms("courses", "course", _EDIT)
        | _perms("courses", "coursename", _EDIT)
        | _perms("courses", "event", _EDIT)
        | _perms("bookings", "booking", _EDIT)
        | _perms("bookings", "cancellationreason", _EDIT)
        | _perms("bookings", "enrolment", _EDIT)
        | _perms("bookings", "bookinglog", _VIEW)
        | _perms("messaging", "outboundemail", _VIEW)
        # evaluations
        | _perms("evaluations", "questionnaire", _EDIT)
        | _perms("evaluations", "item", _EDIT)
        | _perms("evaluations", "invitation", _EDIT)
        | _perms("evaluations", "response", _EDIT)
        | _perms("evaluations", "answer", _EDIT)
        # read only: the audit trail, the roles, and the worker's queue (never its schedules)
        | _perms("privacy", "auditentry", _VIEW)
        | _perms("auth", "group", _VIEW)
        | _perms("django_q", "schedule", _VIEW)
        | _perms("django_q", "success", _VIEW)
        | _perms("django_q", "failure", _VIEW)
    ),
}

# Whatever a list above says, these apps' writes are a superuser's alone (the admin refuses them
# to anyone else too): a schedule runs any function on the worker; auth grants any right.
SUPERUSER_ONLY_APPS = ("django_q", "auth")


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
