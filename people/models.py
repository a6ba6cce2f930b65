"""People and the partner organisations they work for."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from core.text import clean_line


def normalise_name(name: str) -> str:
    """The key organisation names are matched on: case-insensitive, spaces collapsed."""
    return clean_line(name).casefold()


class OrganisationQuerySet(models.QuerySet):
    def partners(self):
        """Listed for sign-up."""
        return self.filter(is_partner=True)

    def to_review(self):
        """Typed in at sign-up and not yet accepted or merged by the L&D lead."""
        return self.filter(is_partner=False)

    def with_people_count(self):
        return self.annotate(people_count=models.Count("people", distinct=True))


class Organisation(models.Model):
    class Sector(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        VOLUNTARY = "voluntary", "Voluntary and community"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, unique=True, editable=False)
    sector = models.CharField(max_length=20, choices=Sector.choices, default=Sector.OTHER)
    is_partner = models.BooleanField(
        default=True,
        help_text="Listed for sign-up. Organisations typed in as 'other' start unlisted "
        "until the L&D lead accepts or merges them.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Keeping the key in step with the name is data integrity, not workflow. Control
        # characters go here, whoever saves (admin, sign-up, import): names reach every export.
        self.name = clean_line(self.name)
        self.name_key = normalise_name(self.name)
        super().save(*args, **kwargs)


class OrganisationDomain(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=200, unique=True, help_text="e.g. westmidlands.police.uk")

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lstrip("@").lower()
        super().save(*args, **kwargs)


class OrganisationLog(models.Model):
    """Who created, accepted or merged an organisation, or changed its email domains, and when.
    Never edited."""

    class Action(models.TextChoices):
        CREATED = "created", "Typed in at sign-up"
        ACCEPTED = "accepted", "Accepted as a partner"
        MERGED = "merged", "Merged into this organisation"
        DOMAIN_ADDED = "domain_added", "Email domain added"
        DOMAIN_REMOVED = "domain_removed", "Email domain removed"

    # Kept when the organisation is merged away: the merge moves these rows to the target.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="log"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}: {self.detail}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person: email is the username. Roles are Django groups (see people.roles)."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    # Off: no reminder emails (a booking's reminder, evaluation reminders); every other email
    # still goes. Turned off and on by the person, from a reminder's link or My profile.
    reminder_emails = models.BooleanField(
        "reminder emails",
        default=True,
        help_text="Off when the person has asked for no reminder emails.",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name or self.email).split()[0]

    # Role checks: group names are loaded once per request-bound instance.
    def _group_names(self) -> frozenset[str]:
        if not hasattr(self, "_group_name_cache"):
            self._group_name_cache = frozenset(self.groups.values_list("name", flat=True))
        return self._group_name_cache

    def has_role(self, role: str) -> bool:
        return self.is_active and (self.is_superuser or role in self._group_names())

    @property
    def is_lead(self) -> bool:
        from people.roles import LEAD

        return self.has_role(LEAD)

    @property
    def is_trainer(self) -> bool:
        from people.roles import TRAINER

        return self.has_role(TRAINER)

    @property
    def is_org_manager(self) -> bool:
        from people.roles import ORG_MANAGER

        return self.has_role(ORG_MANAGER)
