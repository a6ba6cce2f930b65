"""What an import did, or why it refused the files."""

from __future__ import annotations

from dataclasses import dataclass, field

NOTHING_TO_IMPORT = (
    "No events, bookings, evaluations or elearning file (.csv or .xlsx) to import in {path}"
)


class ImportErrors(Exception):
    """The files have problems; `messages` names every bad row by file and line."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class FileCounts:
    rows: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    files: dict[str, FileCounts] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)
    dry_run: bool = False

    def created_count(self, kind: str) -> int:
        return len(self.created.get(kind, []))

    def lines(self) -> list[str]:
        lines = []
        if not self.files:
            lines.append(NOTHING_TO_IMPORT.format(path="the files") + ".")
        for name, c in self.files.items():
            lines.append(
                f"{name}: {c.rows} row{'s' * (c.rows != 1)}: {c.imported} imported, "
                f"{c.updated} updated, {c.unchanged} unchanged"
            )
        for kind, names in self.created.items():
            if not names:
                continue
            if kind == "people":
                lines.append(f"Created {len(names)} {'person' if len(names) == 1 else 'people'}")
                continue
            shown = ", ".join(names[:20]) + (
                f" and {len(names) - 20} more" if len(names) > 20 else ""
            )
            label = kind[:-1] if len(names) == 1 else kind
            if kind == "priority areas" and len(names) == 1:
                label = "priority area"
            lines.append(f"Created {len(names)} {label}: {shown}")
        if self.dry_run:
            lines.append("Checked only: nothing was saved.")
        return lines
