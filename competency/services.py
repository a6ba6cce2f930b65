"""Writes to the competency framework and to a person's job role."""

from __future__ import annotations

from django.db import transaction

from competency.models import JobRole, StaffRole
from competency.selectors import job_roles_for

ROLE_NOT_FOR_SECTOR = "Choose one of the roles listed for your organisation's sector."


class CompetencyError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


@transaction.atomic
def staff_role_set(*, person, job_role: JobRole) -> StaffRole:
    """Record a person's job role: one of their sector's roles (or an any-sector one)."""
    if job_role not in job_roles_for(person):
        raise CompetencyError(ROLE_NOT_FOR_SECTOR, field="job_role")
    staff_role, _ = StaffRole.objects.update_or_create(
        person=person, defaults={"job_role": job_role}
    )
    return staff_role
