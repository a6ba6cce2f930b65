"""Writes to the competency framework (levels, job roles and what each needs, organisations'
staff counts) and to a person's job role."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from competency.models import JobRole, Level, OrganisationStaffCount, Requirement, StaffRole
from competency.selectors import job_roles_for
from courses.models import Course

if TYPE_CHECKING:
    from courses.models import PriorityArea
    from people.models import Organisation, User

ROLE_NOT_FOR_SECTOR = "Choose one of the roles listed for your organisation's sector."
LEVEL_NUMBER_TAKEN = "Another level already has this number."
LEVEL_IN_USE = (
    "A job role needs level {number}: change what those roles need before renumbering it."
)
LEVEL_NO_COURSE = (
    "Courses achieve levels {low} to {high} only: choose a number from {low} to {high}, so that "
    "training can meet it."
)
ROLE_NAME_TAKEN = "A job role with this name already exists in this sector."
ROLE_IN_USE = "{count} {people} this job role: give them another role before deleting it."
REQUIREMENT_NOT_A_LEVEL = "Choose one of the framework's levels, or leave it blank."
STAFF_COUNT_TOO_SMALL = "Enter a staff count of 1 or more."
STAFF_COUNT_FUTURE = "The date of the count must be today or in the past."


class CompetencyError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


@transaction.atomic
def staff_role_set(*, person: User, job_role: JobRole) -> StaffRole:
    """Record a person's job role: one of their sector's roles (or an any-sector one)."""
    if job_role not in job_roles_for(person):
        raise CompetencyError(ROLE_NOT_FOR_SECTOR, field="job_role")
    staff_role, _ = StaffRole.objects.update_or_create(
        person=person, defaults={"job_role": job_role}
    )
    return staff_role


def _validate(instance, *, exclude=()) -> None:
    """Model validation as a CompetencyError on the first field in error."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise CompetencyError(messages[0], field=None if field == "__all__" else field) from None


@transaction.atomic
def level_save(*, level: Level) -> Level:
    """Add or change a level of the framework (its number unique; a number in use stays)."""
    _validate(level)
    course_levels = Course.Level.values
    if level.number not in course_levels:
        low, high = min(course_levels), max(course_levels)
        raise CompetencyError(LEVEL_NO_COURSE.format(low=low, high=high), field="number")
    if Level.objects.filter(number=level.number).exclude(pk=level.pk).exists():
        raise CompetencyError(LEVEL_NUMBER_TAKEN, field="number")
    if level.pk:
        before = Level.objects.select_for_update().get(pk=level.pk)
        if (
            before.number != level.number
            and Requirement.objects.filter(level=before.number).exists()
        ):
            raise CompetencyError(LEVEL_IN_USE.format(number=before.number), field="number")
    level.save()
    return level


@transaction.atomic
def job_role_save(*, job_role: JobRole, requirements: dict[PriorityArea, int | None]) -> JobRole:
    """Add or change a job role and the level it needs in each priority area (None: nothing
    required there)."""
    job_role.name = " ".join(job_role.name.split())
    _validate(job_role)
    same = JobRole.objects.filter(name__iexact=job_role.name, sector=job_role.sector)
    if same.exclude(pk=job_role.pk).exists():
        raise CompetencyError(ROLE_NAME_TAKEN, field="name")
    levels = set(Level.objects.values_list("number", flat=True))
    for area, level in requirements.items():
        if level is not None and level not in levels:
            raise CompetencyError(REQUIREMENT_NOT_A_LEVEL, field=f"area_{area.pk}")
    job_role.save()
    for area, level in requirements.items():
        if level is None:
            Requirement.objects.filter(job_role=job_role, priority_area=area).delete()
        else:
            Requirement.objects.update_or_create(
                job_role=job_role, priority_area=area, defaults={"level": level}
            )
    return job_role


@transaction.atomic
def job_role_delete(*, job_role: JobRole) -> None:
    """Delete a job role nobody holds (its requirements go with it)."""
    job_role = JobRole.objects.select_for_update().get(pk=job_role.pk)
    count = StaffRole.objects.filter(job_role=job_role).count()
    if count:
        people = "person holds" if count == 1 else "people hold"
        raise CompetencyError(ROLE_IN_USE.format(count=count, people=people))
    job_role.delete()


@transaction.atomic
def staff_count_set(
    *, organisation: Organisation, staff: int, as_of: date
) -> OrganisationStaffCount:
    """Record how many staff an organisation has in scope, as of a day: the denominator of its
    compliance."""
    if staff is None or staff < 1:
        raise CompetencyError(STAFF_COUNT_TOO_SMALL, field="staff")
    if as_of > timezone.localdate():
        raise CompetencyError(STAFF_COUNT_FUTURE, field="as_of")
    count, _ = OrganisationStaffCount.objects.update_or_create(
        organisation=organisation, defaults={"staff": staff, "as_of": as_of}
    )
    return count
