"""What an owed email is, in words for the lead: its purpose ("eval-post-lm-reminder1",
"event_updated-3") as "Post-course evaluation, reminder 1 (line manager)", "Course changed
(update 3)". The purposes are plain strings owned by the apps above; an unknown one is shown as
it is."""

import re

KINDS = {
    "confirmation": "Booking confirmed",
    "waitlist_joined": "Joined the waiting list",
    "waitlist_offer": "Offer of a place",
    "waitlist_offer_lapsed": "Offer of a place lapsed",
    "waitlist_removed": "Removed from the waiting list",
    "cancellation": "Booking cancelled",
    "event_cancelled": "Event cancelled",
    "reminder": "Reminder before the course",
    "substituted_out": "Place handed to a colleague",
    "moved_out": "Moved to another date",
}
STAGES = {"pre": "Pre-course", "post": "Post-course", "stage2": "Stage 2"}
NUMBERED = [
    (re.compile(r"event_updated-(\d+)"), "Course changed (update {0})"),
    (re.compile(r"event-message-(\d+)"), "Message from the L&D team"),
    (re.compile(r"dates_announced-(\d+)"), "Dates announced"),
    (re.compile(r"needs-survey-(\d+)"), "Training needs survey"),
    (re.compile(r"competency_expiry-.+"), "Training runs out soon"),
]
EVALUATION = re.compile(r"eval-(pre|post|stage2)(-lm)?-(invite|reminder(\d+))")


def purpose_label(purpose: str) -> str:
    if purpose in KINDS:
        return KINDS[purpose]
    if match := EVALUATION.fullmatch(purpose):
        stage, line_manager, what, number = match.groups()
        label = f"{STAGES[stage]} evaluation, " + (
            "invitation" if what == "invite" else f"reminder {number}"
        )
        return label + (" (line manager)" if line_manager else "")
    for pattern, label in NUMBERED:
        if match := pattern.fullmatch(purpose):
            return label.format(*match.groups())
    return purpose
