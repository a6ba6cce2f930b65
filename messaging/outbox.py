"""The outbox: every app owes an email the same way, and each goes exactly once.

A service records the owed row (`outbox_record`) in its own transaction and queues it after the
commit (`outbox_enqueue`); the task claims the row, sends and marks it (`send_once`); the sweeper
(`requeue_stuck`) queues again whatever is still owed. This module imports no app above it: the
app that owes the email builds it (the `build` callable) and names its own task.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from messaging.models import OutboundEmail
from messaging.signals import email_resend_requested

if TYPE_CHECKING:
    from people.models import User

logger = logging.getLogger(__name__)

BOOKING_TASK = "bookings.tasks.send_booking_email"  # the row's default task


def outbox_record(
    *,
    booking_id: int,
    purpose: str,
    recipient_role: str = "delegate",
    task: str = BOOKING_TASK,
    invitation_id: int | None = None,
) -> OutboundEmail:
    """Record, inside the caller's transaction, that this email is owed (sent later, once)."""
    row, _ = OutboundEmail.objects.get_or_create(
        booking_id=booking_id,
        purpose=purpose,
        recipient_role=recipient_role,
        defaults={"task": task, "invitation_id": invitation_id},
    )
    return row


def outbox_record_for_person(
    *, person_id: int, purpose: str, task: str
) -> tuple[OutboundEmail, bool]:
    """Record, inside the caller's transaction, that this email to a person (about no booking) is
    owed; (row, True) when this call owed it, (row, False) when it was owed already."""
    return OutboundEmail.objects.get_or_create(
        person_id=person_id,
        purpose=purpose,
        defaults={"task": task, "recipient_role": OutboundEmail.PERSON},
    )


def outbox_enqueue(row: OutboundEmail) -> bool:
    """Hand the row's email to the task queue; False (logged) when the broker is down.

    Never raises: the change that owed the email is committed, and the sweeper
    (`requeue_stuck`) tries again later.
    """
    from django_q.tasks import async_task

    if row.booking_id is None:  # a person's email: the task takes (person id, purpose)
        args = [row.person_id, row.purpose]
        name = f"email-person-{row.person_id}-{row.purpose}"
    else:
        args = [row.booking_id, row.purpose, row.recipient_role]
        if row.invitation_id is not None:
            args.append(row.invitation_id)
        name = f"email-{row.booking_id}-{row.purpose}"
    try:
        async_task(row.task, *args, task_name=name)
    except Exception:  # noqa: BLE001 - a broker outage must not turn a saved booking into a 500
        logger.exception("Could not queue email %s; the outbox sweeper will retry", row.pk)
        return False
    return True


def requeue_stuck(*, now=None) -> int:
    """Queue again every email still owed: never picked up, failed, or claimed by a dead worker."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.EMAIL_CLAIM_STALE_SECONDS)
    waiting = now - timedelta(seconds=settings.EMAIL_PENDING_RESEND_SECONDS)
    pending = Q(state=OutboundEmail.State.PENDING, created_at__lt=waiting)
    overtaken = _overtaken_before(now)
    if overtaken is not None:
        pending |= Q(state=OutboundEmail.State.PENDING, created_at__lt=overtaken)
    limit = settings.EMAIL_MAX_ATTEMPTS
    # A claim its worker never finished (killed mid-send) counts as a try: at the limit, give up.
    OutboundEmail.objects.filter(
        state=OutboundEmail.State.SENDING, claimed_at__lt=stale, attempts__gte=limit
    ).update(
        state=OutboundEmail.State.GIVEN_UP,
        next_attempt_at=None,
        note=f"Given up after {limit} tries: the last one never finished.",
    )
    stuck = OutboundEmail.objects.filter(
        pending
        | (Q(state=OutboundEmail.State.FAILED, attempts__lt=limit) & _back_off_over(now))
        | Q(state=OutboundEmail.State.SENDING, claimed_at__lt=stale, attempts__lt=limit)
    ).filter(
        # Not while the task the sweeper queued last time may still be waiting its turn: only
        # once a worker has claimed the row since (it failed again, or died), or after
        # EMAIL_PENDING_RESEND_SECONDS (that task was lost too). One sweep a minute during a
        # long backlog would otherwise add a task per owed email every minute.
        Q(requeued_at__isnull=True)
        | Q(requeued_at__lt=F("claimed_at"))
        | Q(requeued_at__lt=waiting)
    )
    queued = [row.pk for row in stuck if outbox_enqueue(row)]
    OutboundEmail.objects.filter(pk__in=queued).update(requeued_at=now)
    return len(queued)


def _back_off_over(now) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def retry_delay(attempts: int, *, draw: float | None = None) -> float:
    """Seconds to wait after the `attempts`-th failed try: doubling, capped, with jitter.

    `draw` in [0, 1] picks where in +/- EMAIL_RETRY_JITTER the wait falls (random when None), so
    many emails failed by one outage do not all come back in the same second.
    """
    draw = random.random() if draw is None else draw
    base = settings.EMAIL_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    wait = min(base, settings.EMAIL_RETRY_MAX_SECONDS)
    return wait * (1 + settings.EMAIL_RETRY_JITTER * (2 * draw - 1))


def _overtaken_before(now) -> datetime | None:
    """Pending emails owed before this moment were skipped: lost, not waiting their turn.

    The broker hands tasks out in the order they were queued (on commit, so in the order the
    rows were written). An email owed after a pending one and claimed more than
    EMAIL_OVERTAKEN_SECONDS ago means the pending one's task was handed out and lost (e.g. it
    sat in a killed worker's prefetch) or never queued: no need to wait the full
    EMAIL_PENDING_RESEND_SECONDS, which a long queue after a big burst can take. A wrong guess
    costs one spare task, never a second email (the claim).
    """
    oldest = (
        OutboundEmail.objects.filter(state=OutboundEmail.State.PENDING)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if oldest is None:
        return None
    cut = now - timedelta(seconds=settings.EMAIL_OVERTAKEN_SECONDS)
    return (
        OutboundEmail.objects.filter(created_at__gt=oldest, claimed_at__lt=cut)
        .exclude(state=OutboundEmail.State.PENDING)
        .aggregate(newest=Max("created_at"))["newest"]
    )


def outbox_claim(
    *, booking_id: int, purpose: str, recipient_role: str = "delegate", now=None
) -> OutboundEmail | None:
    """Claim the right to send this email; None when it was sent or another worker holds it."""
    row = outbox_record(booking_id=booking_id, purpose=purpose, recipient_role=recipient_role)
    return _claim(row, now=now)


def _claim(row: OutboundEmail, *, now=None) -> OutboundEmail | None:
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.EMAIL_CLAIM_STALE_SECONDS)
    claimed = (
        OutboundEmail.objects.filter(pk=row.pk, attempts__lt=settings.EMAIL_MAX_ATTEMPTS)
        .filter(
            Q(state=OutboundEmail.State.PENDING)
            | (Q(state=OutboundEmail.State.FAILED) & _back_off_over(now))
            | Q(state=OutboundEmail.State.SENDING, claimed_at__lt=stale)  # its worker died
        )
        .update(state=OutboundEmail.State.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    row.refresh_from_db()
    return row


def message_id(row: OutboundEmail) -> str:
    """The same Message-ID on every try of a row: a duplicate delivered after a crash between the
    relay's acceptance and the row's mark is recognisable (and dropped by many mail systems)."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox-{row.pk}@{domain}>"


SKIPPED_NOTE = "Not sent: no longer due, no one to send it to, or a reminder the person turned off."


def outbox_mark(row: OutboundEmail, *, sent: bool, skipped: bool = False, error=None) -> str:
    """Close a claimed row: sent, skipped (nothing to send), or failed (retried after a back-off,
    given up at the attempt limit). Returns the state written."""
    now = timezone.now()
    update = {"next_attempt_at": None, "note": ""}
    if sent:
        update.update(state=OutboundEmail.State.SENT, sent_at=now)
    elif skipped:
        update.update(state=OutboundEmail.State.SKIPPED, note=SKIPPED_NOTE)
    else:
        # The error's kind and SMTP code only: its text can quote an address.
        reason = type(error).__name__ if error is not None else "Error"
        code = getattr(error, "smtp_code", None)
        reason += f" (SMTP {code})" if code else ""
        if row.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            update.update(
                state=OutboundEmail.State.GIVEN_UP,
                note=f"Given up after {row.attempts} tries; last: {reason}"[:300],
            )
        else:
            update.update(
                state=OutboundEmail.State.FAILED,
                next_attempt_at=now + timedelta(seconds=retry_delay(row.attempts)),
                note=f"Try {row.attempts} failed: {reason}"[:300],
            )
    OutboundEmail.objects.filter(pk=row.pk).update(**update)
    return update["state"]


def send_once(
    booking_id: int,
    purpose: str,
    recipient_role: str,
    build: Callable[[], EmailMessage | None],
) -> bool:
    """Send the email `build()` makes at most once per (booking, purpose, recipient).

    True when this call sent it. Every app's emails go through here; `build` runs only after
    the claim, so it sees the booking as it is now, and returns None when the email is no longer
    due (the row is then skipped, never sent later).
    """
    row = outbox_claim(booking_id=booking_id, purpose=purpose, recipient_role=recipient_role)
    return _send_claimed(row, build)


def send_person_once(
    person_id: int, purpose: str, build: Callable[[], EmailMessage | None], *, task: str
) -> bool:
    """`send_once` for an email addressed to a person rather than about a booking: at most once
    per (person, purpose). `task` is the owing app's task, recorded if the row is new (a task
    run with no row recorded before it, e.g. queued by hand)."""
    row, _ = outbox_record_for_person(person_id=person_id, purpose=purpose, task=task)
    return _send_claimed(_claim(row), build)


def _send_claimed(row: OutboundEmail | None, build) -> bool:
    if row is None:
        return False
    try:
        message = build()
        if message is not None:
            message.extra_headers["Message-ID"] = message_id(row)
            message.send()
    except Exception as error:
        outbox_mark(row, sent=False, error=error)
        raise  # recorded as a failed task too; the sweeper tries again after the back-off
    if message is None:
        outbox_mark(row, sent=False, skipped=True)
        return False
    outbox_mark(row, sent=True)
    return True


class OutboxError(Exception):
    pass


NOT_RESENDABLE = "Only an email that failed or was given up can be sent again."


@transaction.atomic
def outbox_resend(*, row_id: int, actor: User | None) -> OutboundEmail:
    """Send a failed or given-up email again: a fresh set of tries, queued after the commit."""
    row = OutboundEmail.objects.select_for_update().get(pk=row_id)
    if row.state not in (OutboundEmail.State.FAILED, OutboundEmail.State.GIVEN_UP):
        raise OutboxError(NOT_RESENDABLE)
    before_state = row.state
    row.state = OutboundEmail.State.PENDING
    row.attempts = 0
    row.next_attempt_at = None
    row.claimed_at = None
    row.note = ""
    row.save(update_fields=["state", "attempts", "next_attempt_at", "claimed_at", "note"])
    email_resend_requested.send(
        sender=OutboundEmail, row=row, actor=actor, before_state=before_state
    )
    transaction.on_commit(lambda: outbox_enqueue(row))
    return row
