"""What competency adds to pages of lower apps, through their extension points."""

from __future__ import annotations

from competency.models import StaffRole
from competency.selectors import job_roles_for, person_record


def my_training_section(person) -> dict | None:
    """My training: what the person's role requires, what they have, when it runs out, the
    gaps and the courses that would fill them. Without a job role, an invitation to choose one
    (two queries), or nothing where the partnership keeps no framework for their sector."""
    if not StaffRole.objects.filter(person=person).exists():
        if not job_roles_for(person):
            return None
        return {"template": "competency/_my_record.html", "record": None}
    return {"template": "competency/_my_record.html", "record": person_record(person)}
