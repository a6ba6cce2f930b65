"""The L&D lead's upload of past records: checks the files' names, size and line count, never
their rows."""

import zipfile

from django import forms

from core.text import clean_line
from imports.models import ImportMapping
from imports.readers import (
    ACCEPTED_LIST,
    FIRST_NAME,
    LAST_NAME,
    ColumnMapping,
    file_key,
    header_key,
    header_mapping,
    mapping_fields,
    read_zip,
    xlsx_row_count,
    xlsx_uncompressed_size,
    zip_uncompressed_size,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Lines in all the files of one upload: 20 MB of short or blank lines would otherwise be millions
# of rows to check. Counted on the bytes, before anything is decoded or parsed.
MAX_UPLOAD_ROWS = 200_000
# An .xlsx is zipped XML, several times the size of the same rows as CSV: it may unpack to this.
MAX_XLSX_UNPACKED_BYTES = 5 * MAX_UPLOAD_BYTES
FILES_REQUIRED = "Choose the CSV or Excel files to import, or a .zip of them"
TOO_LARGE = (
    "The files are too large to upload ({size} MB; the limit is {limit} MB). "
    "Split them, or ask for them to be imported with the import_history command."
)
TOO_MANY_ROWS = (
    "The files have too many lines to upload ({rows:,}; the limit is {limit:,}). "
    "Split them, or ask for them to be imported with the import_history command."
)
WRONG_NAME = "‘{name}’ is not one of " + ACCEPTED_LIST + " or a .zip of them"
BAD_ZIP = "‘{name}’ is not a .zip file that can be opened"
BAD_XLSX = "‘{name}’ is not an Excel workbook that can be opened; save it again as .xlsx"
XLSX_TOO_LARGE = (
    "‘{name}’ unpacks to {size} MB (the limit for a workbook is {limit} MB). "
    "Split it, or ask for it to be imported with the import_history command."
)
EMPTY_ZIP = "‘{name}’ holds none of " + ACCEPTED_LIST
TWICE = "{name} was chosen twice"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files and cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,.xlsx,.zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            if not data:
                # No file chosen: an empty list skipped FileField's "required" check, and an
                # upload of nothing became a run that "imported" nothing.
                single(None, initial)  # raises FILES_REQUIRED (the field is required)
                return []
            return [single(item, initial) for item in data]
        return [single(data, initial)]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


class ImportUploadForm(forms.Form):
    files = MultipleFileField(
        label="CSV or Excel files, or a .zip of them",
        help_text="Any of " + ACCEPTED_LIST + "; CSV files saved from Excel as CSV UTF-8. "
        "Up to 20 MB in all.",
        error_messages={"required": FILES_REQUIRED},
    )
    check_only = forms.BooleanField(
        required=False,
        label="Only check the files: do not save anything",
    )
    mapping = forms.ModelChoiceField(
        queryset=ImportMapping.objects.all(),
        to_field_name="name",
        required=False,
        label="Saved mapping of columns (optional)",
        empty_label="None: match the columns by their names",
        help_text="A mapping saved from an earlier preview: its columns get the fields it gives "
        "them. You can still change them on the preview.",
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        # Refuse by size before a single row is read or a zip is unpacked.
        total = sum(f.size for f in files)
        if total > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                TOO_LARGE.format(size=_megabytes(total), limit=_megabytes(MAX_UPLOAD_BYTES))
            )
        sources: dict[str, bytes] = {}
        for upload in files:
            name = (upload.name or "").rsplit("/", 1)[-1]
            lower = name.lower()
            if lower.endswith(".zip"):
                try:
                    unpacked = zip_uncompressed_size(upload)
                    upload.seek(0)
                    if unpacked > MAX_UPLOAD_BYTES:
                        raise forms.ValidationError(
                            TOO_LARGE.format(
                                size=_megabytes(unpacked), limit=_megabytes(MAX_UPLOAD_BYTES)
                            )
                        )
                    inside = read_zip(upload)
                except zipfile.BadZipFile:
                    raise forms.ValidationError(BAD_ZIP.format(name=name)) from None
                if not inside:
                    raise forms.ValidationError(EMPTY_ZIP.format(name=name))
            elif file_key(lower):
                inside = {lower: upload.read()}
            else:
                raise forms.ValidationError(WRONG_NAME.format(name=name))
            for inner in inside:
                same = [n for n in sources if file_key(n) == file_key(inner)]
                if same:
                    raise forms.ValidationError(
                        TWICE.format(name=inner if inner in same else f"{same[0]} / {inner}")
                    )
            sources.update(inside)
        rows = 0
        for name, content in sources.items():
            if name.endswith(".xlsx"):
                rows += self._xlsx_rows(name, content)
            else:
                rows += content.count(b"\n") + 1
        if rows > MAX_UPLOAD_ROWS:
            raise forms.ValidationError(TOO_MANY_ROWS.format(rows=rows, limit=MAX_UPLOAD_ROWS))
        self.cleaned_data["sources"] = sources
        return files

    @staticmethod
    def _xlsx_rows(name: str, content: bytes) -> int:
        """A workbook's rows, once its unpacked size is known to be safe to open."""
        try:
            unpacked = xlsx_uncompressed_size(content)
        except zipfile.BadZipFile:
            raise forms.ValidationError(BAD_XLSX.format(name=name)) from None
        if unpacked > MAX_XLSX_UNPACKED_BYTES:
            raise forms.ValidationError(
                XLSX_TOO_LARGE.format(
                    name=name,
                    size=_megabytes(unpacked),
                    limit=_megabytes(MAX_XLSX_UNPACKED_BYTES),
                )
            )
        try:
            return xlsx_row_count(content)
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not .xlsx
            raise forms.ValidationError(BAD_XLSX.format(name=name)) from None


IGNORE_LABEL = "Ignore (not imported)"
HALF_LABELS = {FIRST_NAME: "name: first name", LAST_NAME: "name: last name"}
SAME_HEADER = (
    "{file}: the columns named '{header}' must have the same field (rename one in the file)"
)
HAS_PROBLEMS = "{file}: {problem}"
SAVE_AS_TOO_LONG = "The mapping's name must be 100 characters or fewer"


def column_field_name(preview, column) -> str:
    """The form field of one column of one file: events-0, bookings-3 ..."""
    return f"{preview.key.removesuffix('.csv')}-{column.position}"


class ImportPreviewForm(forms.Form):
    """One select per column of each previewed file (a field of that file, or ignore), and an
    optional name to save the mapping under. Refuses a mapping the import would refuse."""

    save_as = forms.CharField(
        required=False,
        label="Save this mapping as (optional)",
        help_text="A name to choose it by on the next upload or with import_history --mapping. "
        "A saved mapping of the same name is replaced.",
        max_length=100,
        error_messages={"max_length": SAVE_AS_TOO_LONG},
    )

    def __init__(self, previews, read_errors=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.previews = previews
        self.read_errors = list(read_errors)
        for preview in previews:
            required = preview.required
            choices = [("", IGNORE_LABEL)] + [
                (f, HALF_LABELS.get(f, f + (" (required)" if f in required else "")))
                for f in mapping_fields(preview.key)
            ]
            for column in preview.columns:
                field = forms.ChoiceField(
                    choices=choices,
                    required=False,
                    initial=column.field or "",
                    label=f"Field for column ‘{column.header}’ of {preview.label}",
                )
                self.fields[column_field_name(preview, column)] = field
                column.form_field = column_field_name(preview, column)

    def rows(self, preview):
        """(column, bound select) for a file, for the template."""
        return [(column, self[column.form_field]) for column in preview.columns]

    def clean_save_as(self):
        return clean_line(self.cleaned_data.get("save_as") or "")

    def clean(self):
        cleaned = super().clean()
        for message in self.read_errors:
            self.add_error(None, message)
        mapping: ColumnMapping = {}
        for preview in self.previews:
            chosen: dict[str, str] = {}
            by_key: dict[str, str] = {}
            for column in preview.columns:
                name = column.form_field
                if name not in cleaned:
                    continue
                value = cleaned[name]
                key = header_key(column.header)
                if key in by_key and by_key[key] != value:
                    self.add_error(
                        name, SAME_HEADER.format(file=preview.label, header=column.header)
                    )
                    continue
                by_key[key] = value
                chosen[column.header] = value
            mapping[preview.key] = chosen
            header = [column.header for column in preview.columns]
            # The import's own matching, with the lead's choices: what it refuses is refused here.
            _, problems = header_mapping(preview.key, header, chosen)
            for position, problem in problems:
                message = HAS_PROBLEMS.format(file=preview.label, problem=problem)
                if position is None:
                    self.add_error(None, message)
                else:
                    self.add_error(column_field_name(preview, preview.columns[position]), message)
        cleaned["mapping"] = mapping
        return cleaned
