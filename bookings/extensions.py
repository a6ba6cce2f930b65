"""Extension points that higher apps plug into (imports stay one-way: they register here).

- `certificate_gates`: callables `(bookings) -> {booking_id: reason}`; a booking with a reason
  has no certificate yet (e.g. evaluations: "answer the post-course evaluation first").
- `booking_actions`: callables `(bookings) -> {booking_id: [Action, ...]}`; extra things a
  delegate can do about a booking, shown on "My training" (e.g. answer an evaluation).
- `my_training_sections`: callables `(person) -> {"template": ..., **context} | None`; extra
  sections at the end of "My training" (e.g. competency: what the person's role requires).
- `event_panels`: callables `(event) -> [Panel, ...]`; summaries shown on the lead's page for
  one event (e.g. evaluations: how many returned each evaluation, of how many due).
Each booking callable gets the whole list at once so it can answer in a constant number of queries.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    method: str = "get"  # "post" renders a small form with a CSRF token
    hint: str = ""


@dataclass(frozen=True)
class Panel:
    """A titled summary on the lead's event page: (label, value) rows and a link to the detail."""

    title: str
    rows: tuple[tuple[str, str], ...]
    link_label: str = ""
    link_url: str = ""


certificate_gates: list = []
booking_actions: list = []
my_training_sections: list = []
event_panels: list = []


def certificate_blockers(bookings) -> dict[int, str]:
    reasons: dict[int, str] = {}
    for gate in certificate_gates:
        for booking_id, reason in gate(bookings).items():
            reasons.setdefault(booking_id, reason)
    return reasons


def actions_for(bookings) -> dict[int, list[Action]]:
    actions: dict[int, list[Action]] = {}
    for provider in booking_actions:
        for booking_id, extra in provider(bookings).items():
            actions.setdefault(booking_id, []).extend(extra)
    return actions


def sections_for(person) -> list[dict]:
    return [section for provider in my_training_sections if (section := provider(person))]


def panels_for(event) -> list[Panel]:
    return [panel for provider in event_panels for panel in provider(event)]
