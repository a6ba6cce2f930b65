"""The L&D lead's upload of past years' records: the same import as `import_history`, run in the
background (imports/services.py) so a large upload never meets the web server's timeout.

Any L&D lead may see any run (not only their own): imports change the partnership's shared
records, and a colleague checking whether last week's import worked is the common case.
"""

from django.shortcuts import get_object_or_404, redirect, render

from imports.forms import ImportUploadForm
from imports.models import ImportRun
from imports.readers import ACCEPTED_LIST, FILE_NAMES, file_key
from imports.services import import_run_create, import_runs_interrupt
from people.roles import LEAD, role_required

RECENT_RUNS = 10
# Seconds between reloads of a waiting or running run's page (a meta refresh: the CSP allows no
# inline script).
REFRESH_SECONDS = 3


def _errors_by_file(messages: list[str]) -> list[tuple[str, list[str]]]:
    """Messages grouped under the file they name, files in import order."""
    groups: dict[str, list[str]] = {}
    for message in messages:
        name = message.split(" ", 1)[0].rstrip(":,")
        groups.setdefault(name if file_key(name) else "", []).append(message)
    order = {name: i for i, name in enumerate(FILE_NAMES)}
    return sorted(groups.items(), key=lambda item: order.get(file_key(item[0]) or "", -1))


def _runs():
    # Never the uploaded files' bytes: up to 20 MB, and no page shows them.
    return ImportRun.objects.defer("files").select_related("uploaded_by")


@role_required(LEAD)
def import_upload(request):
    """Upload CSV files (or a .zip): checked here, imported in the background, then its page."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = import_run_create(
            uploaded_by=request.user,
            sources=form.cleaned_data["sources"],
            dry_run=form.cleaned_data["check_only"],
        )
        return redirect("imports:run", pk=run.pk)
    import_runs_interrupt()
    context = {"form": form, "file_names": ACCEPTED_LIST, "runs": _runs()[:RECENT_RUNS]}
    return render(request, "imports/import_upload.html", context)


@role_required(LEAD)
def import_run(request, pk: int):
    """One upload's progress, then what it imported or every problem by file and line."""
    import_runs_interrupt()
    run = get_object_or_404(_runs(), pk=pk)
    context = {"run": run, "refresh_seconds": None if run.is_finished else REFRESH_SECONDS}
    if run.state == ImportRun.State.DONE:
        context["summary"] = run.summary
    elif run.errors:  # the first services.ERRORS_KEPT of error_count
        context["error_count"] = run.error_count
        context["errors_hidden"] = run.error_count - len(run.errors)
        context["errors_by_file"] = _errors_by_file(run.errors)
    return render(request, "imports/import_run.html", context)
