"""What competency adds to pages of lower apps, through their extension points."""

from __future__ import annotations

from competency.selectors import job_roles_for, person_record


def my_training_section(person) -> dict | None:
    """My training: what the person's role requires, what they have, when it runs out, the
    gaps and the courses that would fill them."""
    record = person_record(person)
    if record.job_role is None and not job_roles_for(person):
        return None  # the partnership keeps no framework for this person's sector
    return {"template": "competency/_my_record.html", "record": record}
