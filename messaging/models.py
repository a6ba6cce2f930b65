"""The outbox: one row per email owed, whichever app owes it."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class OutboundEmail(models.Model):
    """One row per (booking, purpose, recipient), or per (person, purpose) for an email that is
    about no booking (dates announced for a course, an achievement running out): the claim that
    makes every email go once.

    The booking is referenced by name ("bookings.Booking"), never imported: this app sits below
    every app that owes a message. The table keeps the name it had in bookings.
    """

    PERSON = "person"  # the recipient_role of a row addressed to a person, not a booking

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will be tried again"
        SKIPPED = "skipped", "Not sent: no longer due"
        GIVEN_UP = "given_up", "Given up"

    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.CASCADE, related_name="emails", null=True, blank=True
    )
    # Set instead of the booking on an email about no booking (sent by `outbox.send_person_once`).
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="emails_owed",
        null=True,
        blank=True,
    )
    purpose = models.CharField(max_length=40)
    recipient_role = models.CharField(max_length=20, default="delegate")
    # How to (re)send it: the task's dotted path and, for evaluation emails, the invitation id.
    # Ids only, never addresses: the sweeper re-queues owed rows from these.
    task = models.CharField(max_length=100, default="bookings.tasks.send_booking_email")
    invitation_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A failed row is tried again from this moment (back-off with jitter).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the sweeper last queued it again: it does not queue it again while that task may still
    # be waiting in a long queue (requeue_stuck), so a backlog does not multiply its tasks.
    requeued_at = models.DateTimeField(null=True, blank=True)
    # Why it failed, was given up or skipped: a short reason, never an address.
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "bookings_outboundemail"
        ordering = ["booking", "purpose"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "purpose", "recipient_role"], name="outbound_email_once"
            ),
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=models.Q(person__isnull=False),
                name="outbound_email_once_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(booking__isnull=False, person__isnull=True)
                | models.Q(booking__isnull=True, person__isnull=False),
                name="outbound_email_booking_or_person",
            ),
        ]
        # The index's name as bookings/0005 made it: the table and its index are unchanged.
        indexes = [
            models.Index(fields=["state", "created_at"], name="bookings_ou_state_058cae_idx")
        ]

    def __str__(self):
        if self.booking_id is None:
            return f"{self.purpose} for person {self.person_id} ({self.state})"
        return f"{self.purpose} for booking {self.booking_id} ({self.state})"
