"""The L&D lead's questionnaire builder (/manage/questionnaires/): list, create, change the
questions one at a time with validation, preview, put in use; a version that has been sent
changes only as a new version."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from evaluations import selectors, services, validation
from evaluations.forms import ItemForm, QuestionnaireSettingsForm
from evaluations.models import Item, Questionnaire
from people.roles import LEAD, role_required


def _settings_initial(q: Questionnaire) -> dict:
    return {
        "name": q.name,
        "stage": q.stage,
        "respondent": q.respondent,
        "course": q.course_id,
        "intro": q.intro,
    }


def _refused(request, error: services.QuestionnaireRefused, questionnaire: Questionnaire):
    messages.error(request, error.message)
    return redirect("questionnaires:detail", pk=questionnaire.pk)


@role_required(LEAD)
def questionnaire_list(request):
    return render(
        request,
        "evaluations/manage/questionnaire_list.html",
        {"questionnaires": selectors.questionnaire_list()},
    )


@role_required(LEAD)
def questionnaire_create(request):
    form = QuestionnaireSettingsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        questionnaire = services.questionnaire_create(**form.cleaned_data)
        messages.success(request, "Questionnaire created. Add its questions.")
        return redirect("questionnaires:detail", pk=questionnaire.pk)
    return render(
        request, "evaluations/manage/questionnaire_settings.html", {"form": form, "new": True}
    )


@role_required(LEAD)
def questionnaire_detail(request, pk: int):
    questionnaire = get_object_or_404(Questionnaire.objects.select_related("course"), pk=pk)
    items = list(questionnaire.items.all())
    try:
        validation.questionnaire_check(questionnaire)
        problems = []
    except ValidationError as error:
        problems = error.messages
    versions = Questionnaire.objects.filter(family=questionnaire.family).order_by("-version")
    context = {
        "questionnaire": questionnaire,
        "items": items,
        "problems": problems,
        "locked": selectors.questionnaire_locked(questionnaire),
        "replaces": services.questionnaire_replaces(questionnaire),
        "versions": versions,
    }
    return render(request, "evaluations/manage/questionnaire_detail.html", context)


@role_required(LEAD)
def questionnaire_settings(request, pk: int):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    form = QuestionnaireSettingsForm(request.POST or None, initial=_settings_initial(questionnaire))
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_settings_update(questionnaire=questionnaire, **form.cleaned_data)
        except services.QuestionnaireRefused as error:
            form.add_error(None, error.message)
            form.mark_errors()
        else:
            messages.success(request, "Settings saved.")
            return redirect("questionnaires:detail", pk=questionnaire.pk)
    context = {"form": form, "questionnaire": questionnaire, "new": False}
    return render(request, "evaluations/manage/questionnaire_settings.html", context)


@role_required(LEAD)
def item_edit(request, pk: int, item_id: int | None = None):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    item = get_object_or_404(Item, pk=item_id, questionnaire=questionnaire) if item_id else None
    initial = {name: getattr(item, name) for name in services.ITEM_FIELDS} if item else None
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_item_save(
                questionnaire=questionnaire, item_id=item_id, **form.cleaned_data
            )
        except services.QuestionnaireRefused as error:
            form.add_error(None, error.message)
            form.mark_errors()
        else:
            messages.success(request, "Question saved.")
            return redirect("questionnaires:detail", pk=questionnaire.pk)
    context = {"form": form, "questionnaire": questionnaire, "item": item}
    return render(request, "evaluations/manage/item_form.html", context)


@role_required(LEAD)
@require_POST
def item_delete(request, pk: int, item_id: int):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    get_object_or_404(Item, pk=item_id, questionnaire=questionnaire)
    try:
        services.questionnaire_item_delete(questionnaire=questionnaire, item_id=item_id)
    except services.QuestionnaireRefused as error:
        return _refused(request, error, questionnaire)
    messages.success(request, "Question removed.")
    return redirect("questionnaires:detail", pk=questionnaire.pk)


@role_required(LEAD)
@require_POST
def item_move(request, pk: int, item_id: int):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    get_object_or_404(Item, pk=item_id, questionnaire=questionnaire)
    step = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.questionnaire_item_move(questionnaire=questionnaire, item_id=item_id, step=step)
    except services.QuestionnaireRefused as error:
        return _refused(request, error, questionnaire)
    return redirect(reverse("questionnaires:detail", args=[questionnaire.pk]) + f"#item-{item_id}")


@role_required(LEAD)
@require_POST
def put_in_use(request, pk: int):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    try:
        replaced = services.questionnaire_put_in_use(questionnaire=questionnaire)
    except services.QuestionnaireRefused as error:
        return _refused(request, error, questionnaire)
    note = f" It replaces {', '.join(str(q) for q in replaced)}." if replaced else ""
    messages.success(request, f"{questionnaire} is now in use.{note}")
    return redirect("questionnaires:detail", pk=questionnaire.pk)


@role_required(LEAD)
@require_POST
def new_version(request, pk: int):
    questionnaire = get_object_or_404(Questionnaire, pk=pk)
    new = services.questionnaire_new_version(questionnaire=questionnaire)
    messages.success(
        request,
        f"Version {new.version} is now the one in use. Change its questions here; the answers "
        f"already given keep version {questionnaire.version}'s wording.",
    )
    return redirect("questionnaires:detail", pk=new.pk)
