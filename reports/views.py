"""Report pages. The L&D lead sees everything; an organisation manager sees the uptake report for
their own organisation only (the organisation filter is forced, whatever the address says).

The modules that compute and draw (pandas, scipy, matplotlib, openpyxl, python-docx behind
reports.report, reports.annual, reports.charts, reports.workbook, reports.document) are imported by
the views that use them, not here: the URLconf imports this module, and every management command
and worker would otherwise pay about 1.5 s to load them (tests/reports/test_startup.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.clock import london_today
from evaluations.models import Answer, Item
from evaluations.services import answer_set_publishable
from people.models import Organisation
from people.roles import lead_required
from reports.charges import NO_CHARGES, charges_by_organisation, charges_enabled, charges_table
from reports.exporters import table_csv
from reports.forms import ComplianceFilterForm, ReportForm
from reports.periods import current_reporting_year
from reports.selectors import quote_answers
from reports.tables import report_tables, table_by_slug

NO_ACCESS = "Only the L&D lead and organisation managers can see the training reports."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_scope(user) -> Organisation | None:
    """Whose figures the user may see: None for the whole partnership, else one organisation."""
    if user.is_lead:
        return None
    if user.is_org_manager and user.organisation_id is not None:
        return user.organisation
    raise PermissionDenied(NO_ACCESS)


def _report_for(request):
    """(form, report, tables) for the GET parameters; report and tables are None if invalid."""
    organisation = report_scope(request.user)
    form = ReportForm(request.GET, organisation=organisation)
    if not form.is_valid():
        return form, None, None
    from reports.report import report_build

    start, end = form.period()
    report = report_build(
        start=start, end=end, filters=form.filters(), shared=organisation is not None
    )
    return form, report, report_tables(report)


def _filename(report: dict, name: str, ext: str) -> str:
    period = f"{report['period']['start']}_to_{report['period']['end']}"
    return f"{name}_{period}.{ext}"


@login_required
def index(request):
    report_scope(request.user)
    start, end = current_reporting_year()
    return render(request, "reports/index.html", {"start": start, "end": end})


@login_required
def uptake(request):
    from reports.charts import chart_data_uri, chart_text_alternative

    form, report, tables = _report_for(request)
    sections = []
    if report is not None:
        for table in tables:
            sections.append(
                {
                    "table": table,
                    "rows": table.display(),
                    "src": chart_data_uri(table),
                    "alt": chart_text_alternative(table),
                }
            )
    return render(
        request,
        "reports/uptake.html",
        {
            "form": form,
            "report": report,
            "sections": sections,
            "query": request.GET.urlencode(),
            "organisation": form.fixed_organisation,
        },
    )


@login_required
def uptake_csv(request, slug: str):
    form, report, tables = _report_for(request)
    if report is None:
        return HttpResponseBadRequest("Check the period and filters: " + form.errors.as_text())
    table = table_by_slug(tables, slug)
    if table is None:
        raise Http404("No such table")
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, slug, "csv")}"'
    return response


@login_required
def uptake_xlsx(request):
    from reports.workbook import report_xlsx

    form, report, tables = _report_for(request)
    if report is None:
        return HttpResponseBadRequest("Check the period and filters: " + form.errors.as_text())
    response = HttpResponse(report_xlsx(report, tables), content_type=XLSX)
    name = _filename(report, "training_report", "xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _annual_for(request):
    from reports.annual import annual_section

    form = ReportForm(request.GET)
    if not form.is_valid():
        return form, None
    start, end = form.period()
    return form, annual_section(start=start, end=end, filters=form.filters())


@lead_required
def annual(request):
    from reports.charts import chart_data_uri, chart_text_alternative

    form, section = _annual_for(request)
    charts = []
    if section is not None:
        charts = [
            {"caption": caption, "src": chart_data_uri(t), "alt": chart_text_alternative(t)}
            for caption, t in section.figures
        ]
    context = {"form": form, "section": section, "charts": charts}
    context |= {"query": request.GET.urlencode(), "quote_limit": settings.ANNUAL_REPORT_QUOTES}
    return render(request, "reports/annual.html", context)


@lead_required
def annual_docx_download(request):
    from reports.document import annual_docx

    form, section = _annual_for(request)
    if section is None:
        return HttpResponseBadRequest("Check the period: " + form.errors.as_text())
    response = HttpResponse(annual_docx(section), content_type=DOCX)
    name = f"multi-agency-training_{section.start}_to_{section.end}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


QUOTE_FILTERS = {"all": "All comments", "unmarked": "Not publishable", "publishable": "Publishable"}


@lead_required
@require_http_methods(["GET"])
def quotes(request):
    """Free-text answers in a period, to mark as publishable (quotable in the annual report)."""
    form = ReportForm(request.GET)
    show = request.GET.get("show") if request.GET.get("show") in QUOTE_FILTERS else "all"
    page = None
    if form.is_valid():
        start, end = form.period()
        answers = quote_answers(start=start, end=end, filters=form.filters(), show=show)
        page = Paginator(answers, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/quotes.html",
        {
            "form": form,
            "page_obj": page,
            "show": show,
            "show_choices": QUOTE_FILTERS.items(),
            "next": request.get_full_path(),
        },
    )


@lead_required
@require_POST
def quote_mark(request, pk: int):
    answer = get_object_or_404(Answer.objects.filter(item__kind=Item.Kind.TEXT), pk=pk)
    answer_set_publishable(answer=answer, publishable=request.POST.get("publishable") == "1")
    target = request.POST.get("next") or ""
    # Only a path on this site; redirect() would take "abc" for a URL name and fail.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect("reports:quotes")
    return HttpResponseRedirect(f"{target}#answer-{answer.pk}")


@login_required
def charges(request):
    """Non-attendance charges per organisation (an organisation manager sees their own)."""
    organisation = report_scope(request.user)
    form = ReportForm(request.GET, organisation=organisation)
    table = None
    if form.is_valid() and charges_enabled():
        start, end = form.period()
        rows = charges_by_organisation(start=start, end=end, organisation=organisation)
        table = charges_table(rows)
        if request.GET.get("format") == "csv":
            response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
            name = f"charges_{start.isoformat()}_to_{end.isoformat()}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    context = {
        "form": form,
        "table": table,
        "enabled": charges_enabled(),
        "not_enabled": NO_CHARGES,
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/charges.html", context)


@lead_required
def compliance(request):
    """Compliance with the framework by organisation and priority area (the lead's page; its
    CSV, which may be shared, follows the small-group rules)."""
    from reports.compliance import (
        DENOMINATOR_ACCOUNTS,
        compliance_rows,
        compliance_rule,
        compliance_shared,
        compliance_table,
    )
    from reports.exporters import table_csv as csv_of

    form = ComplianceFilterForm(request.GET or None)
    sector, area = "", None
    if form.is_bound and form.is_valid():
        sector = form.cleaned_data["sector"]
        area = form.cleaned_data["priority_area"]
    rows = compliance_rows(sector=sector, priority_area_id=area.pk if area else None)
    if request.GET.get("format") == "csv" and not form.errors:
        table = compliance_table(compliance_shared(rows))
        response = HttpResponse(csv_of(table), content_type="text/csv; charset=utf-8")
        name = f"compliance_{london_today().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    areas, organisations = [], {}
    for row in rows:
        if (row["priority_area_id"], row["priority_area"]) not in areas:
            areas.append((row["priority_area_id"], row["priority_area"]))
        organisations.setdefault(row["organisation_id"], []).append(row)
    context = {
        "form": form,
        "areas": [name for _, name in areas],
        "organisations": list(organisations.values()),
        "rule": compliance_rule(),
        "accounts": DENOMINATOR_ACCOUNTS,
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/compliance.html", context)
