"""The partnership's competency framework: named levels with a refresher interval, job roles in
each sector with the level each needs in each priority area, and each person's job role.

Which courses achieve which level is the course's own `competency_level` in its priority area
(courses.Course): attending it (in full) or completing it (e-learning) achieves that level there.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from people.models import Organisation


class Level(models.Model):
    """A level as the partnership names it, e.g. 1 "Basic awareness" ... 4 "Specialist"."""

    number = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    refresher_months = models.PositiveSmallIntegerField(
        default=36,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="How long an achievement at this level stays in date.",
    )

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"Level {self.number}: {self.name}"


class JobRole(models.Model):
    """A role or job family in a sector (blank: any sector), e.g. "Social worker"."""

    name = models.CharField(max_length=150)
    sector = models.CharField(max_length=20, choices=Organisation.Sector.choices, blank=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["sector", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "sector"], name="job_role_name_per_sector")
        ]

    def __str__(self):
        return f"{self.name} ({self.get_sector_display()})" if self.sector else self.name


class Requirement(models.Model):
    """The level a job role needs in a priority area."""

    job_role = models.ForeignKey(JobRole, on_delete=models.CASCADE, related_name="requirements")
    priority_area = models.ForeignKey(
        "courses.PriorityArea", on_delete=models.CASCADE, related_name="+"
    )
    level = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["job_role", "priority_area__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["job_role", "priority_area"], name="requirement_once_per_area"
            )
        ]

    def __str__(self):
        return f"{self.job_role}: level {self.level} in {self.priority_area}"


class StaffRole(models.Model):
    """A person's job role in the framework (set by the person, their manager or the lead)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_role"
    )
    job_role = models.ForeignKey(JobRole, on_delete=models.PROTECT, related_name="staff")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.person}: {self.job_role}"


class OrganisationStaffCount(models.Model):
    """How many staff an organisation has in scope, entered by the lead: the denominator of its
    compliance, since not every practitioner has an account."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="staff_count"
    )
    staff = models.PositiveIntegerField()
    as_of = models.DateField(help_text="The date the count was true.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.organisation}: {self.staff} staff (as of {self.as_of:%d %B %Y})"
