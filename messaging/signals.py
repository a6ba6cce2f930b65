"""Signals the outbox sends for the apps above it (documented, never our own workflow).

`email_resend_requested(sender=OutboundEmail, row=..., actor=..., before_state=...)`: a person
asked for a failed or given-up email to be sent again. privacy.audit records it in the audit
trail (this app cannot import privacy, which sits above it).
"""

from django.dispatch import Signal

email_resend_requested = Signal()
