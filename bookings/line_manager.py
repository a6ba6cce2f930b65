"""The rule for a line manager's address (issue 12.4): nobody has proved it, so it must at least
be a partner organisation's address and not the delegate's own.

Used by the booking form (checked where it comes in) and by evaluations before it invites a line
manager to stage 2 (addresses stored before the rule, or imported, are checked again there).
"""

from people.services import organisation_for_email

NOT_PARTNER = (
    "Enter your line manager's work email address at a partner organisation "
    "(for example name@council.gov.uk)."
)
OWN_ADDRESS = "Enter your line manager's email address, not your own."


def line_manager_email_problem(email: str, *, delegate_email: str) -> str:
    """Why this address cannot be a delegate's line manager; "" when it can."""
    email = (email or "").strip()
    if not email:
        return NOT_PARTNER
    if email.lower() == (delegate_email or "").strip().lower():
        return OWN_ADDRESS
    organisation = organisation_for_email(email)
    if organisation is None or not organisation.is_partner:
        return NOT_PARTNER
    return ""
