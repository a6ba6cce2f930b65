"""The subject access export as a download: JSON, or a ZIP of the JSON and one CSV per section."""

import csv
import io
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder

from core.text import spreadsheet_cell


def _cell(value) -> str:
    if isinstance(value, (dict, list)):
        value = json.dumps(value, cls=DjangoJSONEncoder)
    # Spreadsheet formula injection: a leading apostrophe makes the cell plain text.
    return spreadsheet_cell("" if value is None else str(value))


def export_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


def export_zip(data: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("subject-access.json", export_json(data))
        for label, rows in data["sections"].items():
            if not rows:
                continue
            text = io.StringIO()
            columns = list(dict.fromkeys(k for row in rows for k in row))
            writer = csv.writer(text)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_cell(row.get(c)) for c in columns])
            archive.writestr(f"{label}.csv", text.getvalue())
    return buffer.getvalue()
