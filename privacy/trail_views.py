"""The L&D lead's audit trail, /manage/audit/ (privacy/trail_urls.py): who changed what, and
when, newest first; filtered, a page of 50 at a time, or the whole filtered trail as CSV."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from core.clock import london_today
from people.roles import LEAD, role_required
from privacy import selectors, trail
from privacy.filters import AuditTrailFilter
from reports.exporters import table_csv

PAGE_SIZE = 50


@never_cache
@role_required(LEAD)
def audit_trail(request):
    """The trail a page at a time, or (?format=csv) every entry the filters keep."""
    fmt = request.GET.get("format", "")
    if fmt not in ("", "csv"):
        raise Http404("No such download.")
    filterset = AuditTrailFilter(request.GET or None, queryset=selectors.audit_entry_list())
    form = filterset.form
    if filterset.is_bound and not form.is_valid():
        # Nothing is listed, or downloaded, for filters that do not make sense.
        context = {"form": form, "page_obj": None, "rows": []}
        return render(request, "privacy/audit_trail.html", context, status=400)
    entries = filterset.qs
    if fmt == "csv":
        return _csv(entries)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "rows": trail.entry_rows(page.object_list),
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1),
        "is_filtered": filterset.is_bound and any(form.cleaned_data.values()),
    }
    return render(request, "privacy/audit_trail.html", context)


def _csv(entries) -> HttpResponse:
    table = trail.entry_csv_table(entries.iterator(chunk_size=2000))
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-trail_{london_today()}.csv"'
    return response
