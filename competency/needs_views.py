"""The training needs analysis: the lead's surveys (/manage/needs/), the respondent's page by
an emailed link (no sign-in), and the report ranking the gaps, with CSV and XLSX downloads."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from competency import needs_exports, needs_selectors, needs_services
from competency.models import NeedsSurvey
from competency.needs_forms import (
    NeedsReportForm,
    NeedsSendForm,
    NeedsSurveyEditForm,
    NeedsSurveyForm,
)
from core.text import clean_text
from courses.models import PriorityArea
from people.roles import LEAD, role_required

RATINGS = [(str(n), label) for n, label in needs_services.CONFIDENCE_LABELS.items()]


def _private(response):
    # The link is a secret: never leak it in a Referer header, never keep the page in a cache.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def _areas() -> list[PriorityArea]:
    return list(PriorityArea.objects.order_by("name"))


def _topics_by_area(data, areas) -> dict:
    """Each priority area's topics, from its box (one a line)."""
    return {
        area: needs_services.topics_from_text(data.get(f"area-{area.pk}", "")) for area in areas
    }


@role_required(LEAD)
def survey_list(request):
    """The lead's needs surveys, with how many answered."""
    return render(
        request,
        "competency/needs/survey_list.html",
        {"surveys": needs_selectors.needs_survey_list()},
    )


@role_required(LEAD)
def survey_create(request):
    """A new survey: title, dates, and topics under each priority area."""
    areas = _areas()
    form = NeedsSurveyForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = needs_services.needs_survey_create(
                actor=request.user,
                title=data["title"],
                intro=data["intro"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                topics=_topics_by_area(data, areas),
            )
        except needs_services.NeedsError as error:
            if error.field == "topics":
                form.add_error(f"area-{areas[0].pk}" if areas else None, error.message)
            else:
                form.add_service_error(error)
        else:
            messages.success(request, "The survey is saved. Preview it, then send it.")
            return redirect("needs:survey", survey.pk)
    status = 400 if form.errors else 200
    return render(request, "competency/needs/survey_form.html", {"form": form}, status=status)


@role_required(LEAD)
@require_http_methods(["GET", "POST"])
def survey_edit(request, pk):
    """Change a survey before it closes: title, introduction and closing date; its topics only
    while nobody has answered (the page says so once they are fixed)."""
    survey = get_object_or_404(NeedsSurvey, pk=pk)
    if needs_services.survey_is_closed(survey):
        day = f"{survey.closes_on:%-d %B %Y}"
        messages.error(request, needs_services.SURVEY_CLOSED_EDIT.format(day=day))
        return redirect("needs:survey", survey.pk)
    areas = _areas()
    answered = needs_selectors.response_rate(survey)["answered"]
    # The topics the lead saw are the ones posted: an answer that arrived since does not drop
    # their changes silently (the service refuses them, and the page says why).
    posted_topics = any(key.startswith("area-") for key in request.POST)
    topics_fixed = bool(answered) and not posted_topics
    form = NeedsSurveyEditForm(
        request.POST or None, survey=survey, areas=areas, topics_fixed=topics_fixed
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            needs_services.needs_survey_update(
                survey=survey,
                actor=request.user,
                title=data["title"],
                intro=data["intro"],
                closes_on=data["closes_on"],
                topics=None if topics_fixed else _topics_by_area(data, areas),
            )
        except needs_services.NeedsError as error:
            if error.message == needs_services.TOPICS_FIXED:
                # Someone answered while the lead was editing: show the page as it is now.
                topics_fixed = True
                answered = needs_selectors.response_rate(survey)["answered"]
                form = NeedsSurveyEditForm(
                    request.POST, survey=survey, areas=areas, topics_fixed=True
                )
                form.is_valid()
                form.add_error(None, error.message)
            elif error.field == "topics":
                form.add_error(f"area-{areas[0].pk}" if areas else None, error.message)
            elif error.field is None:
                messages.error(request, error.message)  # closed since the page was opened
                return redirect("needs:survey", survey.pk)
            else:
                form.add_service_error(error)
        else:
            messages.success(request, "Your changes to the survey are saved.")
            return redirect("needs:survey", survey.pk)
    context = {
        "form": form,
        "survey": survey,
        "topics_fixed": topics_fixed,
        "answered": answered,
        "areas": needs_selectors.needs_topics_by_area(survey) if topics_fixed else [],
    }
    status = 400 if form.errors else 200
    return render(request, "competency/needs/survey_form.html", context, status=status)


def _survey_page(request, survey, form, status=200):
    context = {
        "survey": survey,
        "areas": needs_selectors.needs_topics_by_area(survey),
        "rate": needs_selectors.response_rate(survey),
        "closed": needs_services.survey_is_closed(survey),
        "not_open_yet": needs_services.survey_not_open_yet(survey),
        "form": form,
    }
    return render(request, "competency/needs/survey_detail.html", context, status=status)


@role_required(LEAD)
def survey_detail(request, pk):
    """One survey: its topics, who answered, and the form to send it."""
    survey = get_object_or_404(NeedsSurvey, pk=pk)
    return _survey_page(request, survey, NeedsSendForm())


@role_required(LEAD)
@require_POST
def survey_send(request, pk):
    """Send the survey to pasted addresses or whole organisations: each person is emailed once,
    by the worker (never in this request)."""
    survey = get_object_or_404(NeedsSurvey, pk=pk)
    form = NeedsSendForm(request.POST)
    if not form.is_valid():
        return _survey_page(request, survey, form, status=400)
    try:
        people = {}
        if form.cleaned_data["emails"].strip():
            for p in needs_services.needs_recipients_from_emails(form.cleaned_data["emails"]):
                people[p.pk] = p
        organisations = form.cleaned_data["organisations"]
        if organisations:
            for p in needs_services.needs_recipients_from_organisations(
                [o.pk for o in organisations]
            ):
                people[p.pk] = p
        invited = needs_services.needs_survey_send(
            survey=survey, actor=request.user, people=list(people.values())
        )
    except needs_services.NeedsError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        form.mark_errors()
        return _survey_page(request, survey, form, status=400)
    already = len(people) - invited
    text = f"The survey is on its way to {invited} {'person' if invited == 1 else 'people'}."
    if already:
        text += f" {already} had already been asked and will not be emailed again."
    messages.success(request, text)
    return redirect("needs:survey", survey.pk)


@role_required(LEAD)
def survey_preview(request, pk):
    """The survey as a respondent sees it, without answering."""
    survey = get_object_or_404(NeedsSurvey, pk=pk)
    context = {
        "survey": survey,
        "areas": _rows(survey, {}, {}),
        "ratings": RATINGS,
        "not_relevant": needs_services.NOT_RELEVANT,
        "preview": True,
    }
    return render(request, "competency/needs/answer.html", context)


def _pk(text: str) -> int | None:
    """A row id the page put in a field name or value; None for anything else."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _shown(survey) -> str:
    """The topics a respondent's page shows, to tell on submit whether the lead changed them."""
    return ",".join(str(pk) for pk in sorted(survey.topics.values_list("pk", flat=True)))


def _rows(survey, values, errors):
    return [
        (
            area,
            [
                {
                    "topic": t,
                    "name": f"topic-{t.pk}",
                    "value": values.get(t.pk, ""),
                    "error": errors.get(t.pk, ""),
                }
                for t in topics
            ],
        )
        for area, topics in needs_selectors.needs_topics_by_area(survey)
    ]


@never_cache
@require_http_methods(["GET", "POST"])
def needs_answer(request, token):
    """The survey behind an emailed link: no sign-in, the link is the key, one person's only."""
    try:
        invitation = needs_services.needs_invitation_from_token(token)
    except needs_services.LinkInvalid:
        return _private(render(request, "competency/needs/link_invalid.html", status=404))
    survey = invitation.survey
    if invitation.answered_at is not None:
        return _private(render(request, "competency/needs/answered.html", {"survey": survey}))
    if needs_services.survey_is_closed(survey):
        return _private(
            render(request, "competency/needs/closed.html", {"survey": survey}, status=410)
        )
    if needs_services.survey_not_open_yet(survey):
        return _private(render(request, "competency/needs/not_open.html", {"survey": survey}))
    values, errors, changed = {}, {}, False
    if request.method == "POST":
        # Every rating posted, by topic: the service takes those of the survey's topics as they
        # are when it saves (a topic the lead kept in an edit keeps its rating).
        values = {
            _pk(key.removeprefix("topic-")): clean_text(value)[:10]
            for key, value in request.POST.items()
            if key.startswith("topic-") and _pk(key.removeprefix("topic-"))
        }
        try:
            needs_services.needs_answer_submit(invitation=invitation, data=values)
        except needs_services.NeedsError as error:
            if error.message == needs_services.ALREADY_ANSWERED:
                context = {"survey": survey}
                return _private(render(request, "competency/needs/answered.html", context))
            if not error.errors:
                context = {"survey": survey}
                return _private(
                    render(request, "competency/needs/closed.html", context, status=410)
                )
            errors = error.errors
            shown = {_pk(pk) for pk in request.POST.get("shown", "")[:5000].split(",")} - {None}
            changed = bool(shown) and shown != set(survey.topics.values_list("pk", flat=True))
        else:
            return _private(render(request, "competency/needs/thanks.html", {"survey": survey}))
    if request.method == "POST":
        survey.refresh_from_db()  # as it is now: the lead may have changed it since
    areas = _rows(survey, values, errors)
    context = {
        "survey": survey,
        "shown": _shown(survey),
        "changed": changed,
        "areas": areas,
        "errors": [row for _area, rows in areas for row in rows if row["error"]],
        "ratings": RATINGS,
        "not_relevant": needs_services.NOT_RELEVANT,
    }
    return _private(
        render(request, "competency/needs/answer.html", context, status=400 if errors else 200)
    )


@role_required(LEAD)
def survey_report(request, pk):
    """The ranking of gaps for one survey; ?format=csv or xlsx downloads it (small groups'
    averages blanked)."""
    survey = get_object_or_404(NeedsSurvey, pk=pk)
    form = NeedsReportForm(request.GET or None)
    grouping, start, end = needs_selectors.BY_ORGANISATION, None, None
    if form.is_bound and form.is_valid():
        grouping = form.cleaned_data["by"] or grouping
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    if not (start and end):
        start, end = needs_selectors.default_period(survey)
        if not form.is_bound:
            form = NeedsReportForm(initial={"by": grouping, "start": start, "end": end})
    fmt = request.GET.get("format", "")
    if fmt not in ("", "csv", "xlsx"):
        raise Http404("No such download.")
    report = needs_selectors.needs_report(
        survey, grouping=grouping, start=start, end=end, shared=bool(fmt)
    )
    if fmt == "csv":
        return needs_exports.report_csv(report)
    if fmt == "xlsx":
        return needs_exports.report_xlsx(report)
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "survey": survey,
        "report": report,
        "form": form,
        "query": query.urlencode(),
        "report_url": reverse("needs:report", args=[survey.pk]),
    }
    return render(
        request, "competency/needs/report.html", context, status=400 if form.errors else 200
    )
