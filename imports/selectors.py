"""Reads for the upload's preview: each file's first rows as the import will read them."""

from __future__ import annotations

from dataclasses import dataclass, field

from imports.models import ImportRun
from imports.readers import (
    COLUMNS,
    ColumnMapping,
    Sheet,
    head,
    header_mapping,
    read_texts,
    read_zip,
)

# Rows of each file shown on the preview.
PREVIEW_ROWS = 5


@dataclass
class ColumnPreview:
    """One column of a file: its header, the field it becomes (None: ignored), its first values."""

    position: int
    header: str
    field: str | None
    values: list[str]


@dataclass
class FilePreview:
    """One file of an upload as the import will read it, and what is wrong with its header."""

    key: str  # the name the checks use: events.csv ...
    given: str  # the name it came as: events.xlsx ...
    sheet: str = ""
    columns: list[ColumnPreview] = field(default_factory=list)
    rows: int = 0  # how many rows are shown
    # (position of the column at fault or None, message), as readers.header_mapping finds them
    problems: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.given}, sheet {self.sheet}" if self.sheet else self.given

    @property
    def required(self) -> tuple[str, ...]:
        return COLUMNS[self.key][0]

    @property
    def ignored(self) -> list[str]:
        return [c.header for c in self.columns if c.field is None]


def import_run_preview(
    run: ImportRun, mapping: ColumnMapping | None = None
) -> tuple[list[FilePreview], list[str]]:
    """The run's files as the import will read them with `mapping` (else the run's own), and the
    problems that stop a file being read at all (not UTF-8, not a workbook, given twice)."""
    mapping = run.mapping if mapping is None else mapping
    errors: list[str] = []
    texts = read_texts(read_zip(bytes(run.files or b"")), errors, set()) if run.files else {}
    previews = []
    for key, table in texts.items():
        header, rows, problem = head(key, table, PREVIEW_ROWS)
        if problem:
            errors.append(problem)
            continue
        preview = FilePreview(
            key=key,
            given=table.file if isinstance(table, Sheet) else key,
            sheet=table.title if isinstance(table, Sheet) else "",
            rows=len(rows),
        )
        fields, preview.problems = header_mapping(key, header, mapping.get(key))
        for position, (text, chosen) in enumerate(zip(header, fields, strict=True)):
            values = [row[position] if position < len(row) else "" for row in rows]
            preview.columns.append(ColumnPreview(position, text.strip(), chosen, values))
        previews.append(preview)
    return previews, errors
