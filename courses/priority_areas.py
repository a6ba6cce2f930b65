"""The L&D lead's list of priority areas (/manage/priority-areas/): add, edit, and retire one by
giving its last reporting year. Nothing deletes an area: courses point at it (PROTECT), and the
reports group by its id and print its current name, so a rename shows in every report."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from courses.models import PriorityArea

if TYPE_CHECKING:
    from people.models import User

logger = logging.getLogger(__name__)

YEAR_MIN, YEAR_MAX = 2000, 2100
PRIORITY_AREA_NAME_REQUIRED = "Enter the priority area's name"
PRIORITY_AREA_NAME_TAKEN = "There is already a priority area called this"
PRIORITY_AREA_YEAR_OUT_OF_RANGE = f"Enter a year from {YEAR_MIN} to {YEAR_MAX}, or leave it blank"
PRIORITY_AREA_LAST_BEFORE_FIRST = "The last year cannot be before the first year"


def priority_area_list() -> QuerySet[PriorityArea]:
    """Every priority area by name, with the number of courses in it."""
    return PriorityArea.objects.annotate(course_count=Count("courses")).order_by("name")


def priority_area_get(*, pk: int) -> PriorityArea:
    """One priority area, or 404."""
    return get_object_or_404(PriorityArea, pk=pk)


def priority_area_validate(*, area: PriorityArea) -> None:
    """The rules for a priority area, each error on its field."""
    errors: dict[str, str] = {}
    name = " ".join((area.name or "").split())
    if not name:
        errors["name"] = PRIORITY_AREA_NAME_REQUIRED
    elif PriorityArea.objects.filter(name__iexact=name).exclude(pk=area.pk).exists():
        errors["name"] = PRIORITY_AREA_NAME_TAKEN
    for field in ("first_year", "last_year"):
        year = getattr(area, field)
        if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
            errors[field] = PRIORITY_AREA_YEAR_OUT_OF_RANGE
    if (
        "first_year" not in errors
        and "last_year" not in errors
        and area.first_year is not None
        and area.last_year is not None
        and area.last_year < area.first_year
    ):
        errors["last_year"] = PRIORITY_AREA_LAST_BEFORE_FIRST
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def priority_area_save(*, area: PriorityArea, actor: User) -> PriorityArea:
    """Create or update a priority area; names are unique whatever their case or spacing."""
    area.name = " ".join((area.name or "").split())
    priority_area_validate(area=area)
    created = area.pk is None
    area.save()
    logger.info(
        "priority area %s %s by user %s", area.pk, "created" if created else "changed", actor.pk
    )
    return area
