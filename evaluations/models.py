"""Questionnaires (versioned), per-booking invitations by emailed link, and answers."""

from django.db import models


class Stage(models.TextChoices):
    PRE = "pre", "Pre-course"
    POST = "post", "Post-course"
    STAGE2 = "stage2", "Stage 2 (impact on practice)"


def email_purpose(stage: str, respondent: str, what: str) -> str:
    """The outbox purpose of an evaluation email, e.g. 'eval-post-invite', 'eval-pre-reminder1'."""
    who = "" if respondent == "delegate" else "-lm"
    return f"eval-{stage}{who}-{what}"


class Respondent(models.TextChoices):
    DELEGATE = "delegate", "Delegate"
    LINE_MANAGER = "line_manager", "Line manager"


class Questionnaire(models.Model):
    """One version of a questionnaire. Editing one that has answers makes a new version."""

    name = models.CharField(max_length=200)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    respondent = models.CharField(
        max_length=20,
        choices=Respondent.choices,
        default=Respondent.DELEGATE,
        help_text="Who answers it: the delegate, or (stage 2 only) their line manager.",
    )
    course = models.ForeignKey(
        "courses.Course",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questionnaires",
        help_text="Blank: the partnership-wide default.",
    )
    version = models.PositiveIntegerField(default=1)
    family = models.CharField(
        max_length=60, help_text="Versions of the same questionnaire share this key."
    )
    is_current = models.BooleanField(default=True)
    intro = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["stage", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="questionnaire_version"),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"


class Item(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", "Rating 1–5"
        CHOICE = "choice", "Single choice"
        TEXT = "text", "Free text"

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    required = models.BooleanField(default=True)
    low_label = models.CharField(max_length=60, blank=True, default="Very low")
    high_label = models.CharField(max_length=60, blank=True, default="Very high")
    choices = models.TextField(blank=True, help_text="Single choice: one option per line.")
    is_learning_gain = models.BooleanField(default=False)
    is_retrospective = models.BooleanField(
        default=False, help_text="Post-course 'looking back, before the course' item."
    )

    class Meta:
        ordering = ["questionnaire", "order", "id"]

    def __str__(self):
        return self.text

    def clean(self):
        from django.core.exceptions import ValidationError

        from evaluations.validation import item_problems

        problems = item_problems(self)
        if problems:
            raise ValidationError(problems)


class Invitation(models.Model):
    """A delegate's invitation to answer one stage for one booking, reached by an emailed link."""

    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.CASCADE, related_name="invitations"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices)
    respondent = models.CharField(
        max_length=20, default="delegate", help_text="delegate, or line_manager for stage 2."
    )
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(
        blank=True,
        help_text="Line manager: the address invited. Their emails go here, and only here.",
    )
    key = models.CharField(max_length=64, unique=True, help_text="Opaque random id for the link.")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # A line manager without an account turned reminders to this address off
    # (evaluations.manager_reminders): set on every invitation to the address.
    reminders_off = models.BooleanField(default=False)

    class Meta:
        ordering = ["booking", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "stage", "respondent"], name="invitation_once_per_stage"
            )
        ]

    def __str__(self):
        return f"{self.get_stage_display()} for booking {self.booking_id}"


class Response(models.Model):
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="Blank: saved, not sent.")
    imported_score = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Learning-gain score from an imported past year (no item answers kept).",
    )

    class Meta:
        indexes = [models.Index(fields=["submitted_at"])]

    def __str__(self):
        return f"Response to {self.invitation}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    is_publishable = models.BooleanField(
        default=False, help_text="The L&D lead may quote this free text in reports."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="answer_once_per_item")
        ]

    def __str__(self):
        return f"{self.item}: {self.rating or self.choice or self.text[:40]}"
