"""The L&D lead's upload of past years' records: the same import as `import_history`, run in the
background (imports/services.py) so a large upload never meets the web server's timeout.

Any L&D lead may see any run (not only their own): imports change the partnership's shared
records, and a colleague checking whether last week's import worked is the common case.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from imports.forms import ImportPreviewForm, ImportUploadForm
from imports.models import ImportRun
from imports.readers import ACCEPTED_LIST, FILE_NAMES, file_key
from imports.selectors import PREVIEW_ROWS, import_run_preview
from imports.services import (
    PREVIEW_KEPT,
    ImportMappingError,
    ImportRunError,
    import_run_confirm,
    import_run_create,
    import_runs_interrupt,
)
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
    """Upload CSV or Excel files (or a .zip): checked here, then their preview."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        saved = form.cleaned_data["mapping"]
        run = import_run_create(
            uploaded_by=request.user,
            sources=form.cleaned_data["sources"],
            dry_run=form.cleaned_data["check_only"],
            mapping=saved.columns if saved else None,
        )
        return redirect("imports:preview", pk=run.pk)
    import_runs_interrupt()
    context = {"form": form, "file_names": ACCEPTED_LIST, "runs": _runs()[:RECENT_RUNS]}
    return render(request, "imports/import_upload.html", context)


@role_required(LEAD)
def import_run(request, pk: int):
    """One upload's progress, then what it imported or every problem by file and line."""
    import_runs_interrupt()
    run = get_object_or_404(_runs(), pk=pk)
    if run.state == ImportRun.State.PREVIEW:
        return redirect("imports:preview", pk=run.pk)
    context = {"run": run, "refresh_seconds": None if run.is_finished else REFRESH_SECONDS}
    if run.state == ImportRun.State.DONE:
        context["summary"] = run.summary
    elif run.errors:  # the first services.ERRORS_KEPT of error_count
        context["error_count"] = run.error_count
        context["errors_hidden"] = run.error_count - len(run.errors)
        context["errors_by_file"] = _errors_by_file(run.errors)
    return render(request, "imports/import_run.html", context)


@role_required(LEAD)
def import_preview(request, pk: int):
    """The first rows of each uploaded file, which column becomes which field; the lead may
    change a column's field, save the mapping by name, and confirms: then it is imported."""
    import_runs_interrupt()
    run = get_object_or_404(ImportRun.objects.select_related("uploaded_by"), pk=pk)
    if run.state != ImportRun.State.PREVIEW:
        return redirect("imports:run", pk=run.pk)
    previews, read_errors = import_run_preview(run)
    form = ImportPreviewForm(previews, read_errors, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            import_run_confirm(
                run_id=run.pk,
                mapping=form.cleaned_data["mapping"],
                confirmed_by=request.user,
                save_as=form.cleaned_data["save_as"],
            )
        except ImportMappingError as error:
            form.add_error("save_as", str(error))
        except ImportRunError as error:
            messages.error(request, str(error))
            return redirect("imports:run", pk=run.pk)
        else:
            return redirect("imports:run", pk=run.pk)
    context = {
        "run": run,
        "form": form,
        "files": [(preview, form.rows(preview)) for preview in previews],
        "preview_rows": PREVIEW_ROWS,
        "kept_hours": int(PREVIEW_KEPT.total_seconds() // 3600),
    }
    return render(
        request, "imports/import_preview.html", context, status=400 if form.errors else 200
    )
