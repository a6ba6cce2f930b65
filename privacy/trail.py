"""The audit trail in words: what each action and kind of record is called, who acted, and what
changed ("field: before → after"), for the L&D lead's page and its CSV.

Only what an entry already holds is shown: its actor's name, its record's description (never a
person's name or email, see AuditEntry.object_repr) and its before and after values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.utils.text import capfirst

from core.clock import london_time
from core.text import clean_line
from privacy.anonymise import person_is_anonymised
from privacy.models import AuditEntry
from reports.tables import Table

SYSTEM = "System"
NOTHING = "—"  # a value that is absent, null or blank
ARROW = " → "
VALUE_SHOWN_MAX = 80  # characters of a value on the page; the CSV holds it whole
ELLIPSIS = "…"

# Every action privacy.audit writes, in words. An unknown code is shown made readable.
ACTION_LABELS = {
    "questionnaire.create": "Questionnaire created",
    "questionnaire.change": "Questionnaire changed",
    "questionnaire.delete": "Questionnaire deleted",
    "questionnaire.items": "Questions of a new questionnaire recorded",
    "questionnaire_item.create": "Question added",
    "questionnaire_item.change": "Question changed",
    "questionnaire_item.delete": "Question deleted",
    "needs_survey.create": "Training needs survey created",
    "needs_survey.change": "Training needs survey changed",
    "person.organisation": "Organisation changed",
    "person.roles": "Roles changed",
    "person.export": "Personal data exported",
    "person.anonymise": "Personal data anonymised",
    "email.resend": "Email sent again",
}

OBJECT_TYPE_LABELS = {
    "evaluations.questionnaire": "Questionnaire",
    "evaluations.item": "Question in a questionnaire",
    "competency.needssurvey": "Training needs survey",
    "people.user": "Person",
    "messaging.outboundemail": "Email",
}


def _readable_code(code: str) -> str:
    return capfirst(code.replace(".", " ").replace("_", " ").strip()) or code


def action_label(action: str) -> str:
    """An action code in words: "person.roles" -> "Roles changed"."""
    return ACTION_LABELS.get(action) or _readable_code(action)


def object_type_label(object_type: str) -> str:
    """A kind of record in words: "people.user" -> "Person"; else the model's verbose name."""
    if object_type in OBJECT_TYPE_LABELS:
        return OBJECT_TYPE_LABELS[object_type]
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return _readable_code(object_type)
    return capfirst(str(model._meta.verbose_name))


def actor_name(actor) -> str:
    """Who acted: their name (or email if they gave none); "System" for no one signed in."""
    if actor is None:
        return SYSTEM
    if person_is_anonymised(actor):
        return f"Person {actor.pk} (anonymised)"
    return actor.full_name or actor.email


def value_text(value: Any) -> str:
    """A stored JSON value shown plainly: text as it is (on one line), yes or no, a dash for
    nothing, a list joined by commas, anything else as JSON."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value) or NOTHING
    if isinstance(value, dict):
        return clean_line(json.dumps(value, ensure_ascii=False))
    return clean_line(str(value)) or NOTHING


def shortened(text: str, limit: int = VALUE_SHOWN_MAX) -> str:
    """The text, cut with an ellipsis when longer than `limit` characters."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.field}: {self.before}{ARROW}{self.after}"


_MISSING = object()


def entry_changes(entry: AuditEntry, *, limit: int | None = VALUE_SHOWN_MAX) -> list[Change]:
    """The fields whose value differs between before and after, in the order recorded (a field
    only one side holds shows a dash on the other, and one blank on one side and absent on the
    other is no change); values cut at `limit` (None: whole)."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    changes = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        if old == new:
            continue
        old_text = NOTHING if old is _MISSING else value_text(old)
        new_text = NOTHING if new is _MISSING else value_text(new)
        if old_text == new_text:
            continue  # e.g. blank before, absent after: nothing a reader could see changed
        if limit is not None:
            old_text, new_text = shortened(old_text, limit), shortened(new_text, limit)
        changes.append(Change(clean_line(str(key).replace("_", " ")), old_text, new_text))
    return changes


@dataclass(frozen=True)
class Row:
    """One entry as the page shows it."""

    entry: AuditEntry
    at: datetime  # London's wall clock
    who: str
    action: str
    kind: str
    record: str
    changes: list[Change]


def entry_rows(entries) -> list[Row]:
    """The entries (with their actors loaded) as rows for the page."""
    return [
        Row(
            entry=entry,
            at=london_time(entry.at),
            who=actor_name(entry.actor),
            action=action_label(entry.action),
            kind=object_type_label(entry.object_type),
            record=entry.object_repr,
            changes=entry_changes(entry),
        )
        for entry in entries
    ]


CSV_COLUMNS = [
    ("when", "When (UK time)"),
    ("who", "Who"),
    ("action", "Action"),
    ("kind", "Kind of record"),
    ("record", "Record"),
    ("record_id", "Record id"),
    ("changes", "Changes"),
]


def entry_csv_table(entries) -> Table:
    """The entries as a reports Table for reports.exporters.table_csv: every value whole, each
    change on its own line of the Changes cell."""
    rows = [
        {
            "when": f"{london_time(entry.at):%Y-%m-%d %H:%M:%S}",
            "who": actor_name(entry.actor),
            "action": action_label(entry.action),
            "kind": object_type_label(entry.object_type),
            "record": entry.object_repr,
            "record_id": entry.object_id,
            "changes": "\n".join(str(c) for c in entry_changes(entry, limit=None)),
        }
        for entry in entries
    ]
    return Table(slug="audit-trail", title="Audit trail", columns=CSV_COLUMNS, rows=rows)
