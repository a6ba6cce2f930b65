"""The L&D lead's upload of past years' records: the same import as `import_history`."""

from django.shortcuts import render
from django.urls import path

from people.roles import LEAD, role_required
from reports.forms_import import ImportUploadForm
from reports.importer import FILE_NAMES, ImportErrors, import_history

ERRORS_SHOWN = 1000


def _errors_by_file(messages: list[str]) -> list[tuple[str, list[str]]]:
    """Messages grouped under the file they name, files in import order."""
    groups: dict[str, list[str]] = {}
    for message in messages:
        name = message.split(" ", 1)[0].rstrip(":")
        groups.setdefault(name if name in FILE_NAMES else "", []).append(message)
    order = {name: i for i, name in enumerate(FILE_NAMES)}
    return sorted(groups.items(), key=lambda item: order.get(item[0], -1))


@role_required(LEAD)
def import_upload(request):
    """Upload CSV files (or a .zip): every problem listed by file and line, or what was imported."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "file_names": FILE_NAMES}
    if request.method == "POST" and form.is_valid():
        try:
            context["summary"] = import_history(
                form.cleaned_data["sources"], dry_run=form.cleaned_data["check_only"]
            )
        except ImportErrors as errors:
            shown = errors.messages[:ERRORS_SHOWN]
            context["error_count"] = len(errors.messages)
            context["errors_hidden"] = len(errors.messages) - len(shown)
            context["errors_by_file"] = _errors_by_file(shown)
    return render(request, "reports/import_upload.html", context)


# Included by reports/urls.py: reports:import.
urlpatterns_import = [
    path("import/", import_upload, name="import"),
]
