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


# --- training needs analysis -----------------------------------------------------------------


class NeedsSurvey(models.Model):
    """A training needs analysis: practitioners rate their confidence in topics, grouped by
    priority area, through an emailed link (no sign-in)."""

    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    opens_on = models.DateField()
    closes_on = models.DateField(help_text="The last day answers are taken.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="needs_survey_closes_after_it_opens",
            )
        ]

    def __str__(self):
        return self.title


class NeedsTopic(models.Model):
    """One topic a respondent rates, in a priority area."""

    survey = models.ForeignKey(NeedsSurvey, on_delete=models.CASCADE, related_name="topics")
    priority_area = models.ForeignKey(
        "courses.PriorityArea", on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "priority_area__name", "order", "id"]

    def __str__(self):
        return self.text


class NeedsInvitation(models.Model):
    """One person asked to answer one survey, by an emailed link (the opaque key, signed)."""

    survey = models.ForeignKey(NeedsSurvey, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="needs_invitations"
    )
    # The organisation when asked: answers are counted by it even if the person moves.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key = models.CharField(max_length=64, unique=True, help_text="Opaque random id for the link.")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["survey", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "person"], name="needs_invitation_once")
        ]

    def __str__(self):
        return f"{self.survey} for {self.person_id}"


class NeedsAnswer(models.Model):
    """A respondent's confidence in one topic, 1 (not at all) to 5 (very); blank: not relevant
    to their role."""

    invitation = models.ForeignKey(
        NeedsInvitation, on_delete=models.CASCADE, related_name="answers"
    )
    topic = models.ForeignKey(NeedsTopic, on_delete=models.CASCADE, related_name="answers")
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invitation", "topic"], name="needs_answer_once"),
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True)
                | models.Q(confidence__gte=1, confidence__lte=5),
                name="needs_confidence_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.topic}: {self.confidence or 'not relevant'}"
