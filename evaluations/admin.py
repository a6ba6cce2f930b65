"""The L&D lead builds questionnaires here. One that has answers is never edited in place:
"Make a new version" copies it, and the old version keeps the wording its answers were given to.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.urls import path, reverse

from evaluations import selectors, services, validation
from evaluations.models import Answer, Invitation, Item, Questionnaire, Response


class ItemFormSet(BaseInlineFormSet):
    """Check the questions together against the questionnaire's stage before anything is saved
    (each question on its own is checked by Item.clean)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        items = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and self._should_delete_form(form))
        ]
        problems = validation.questionnaire_problems(
            stage=self.instance.stage, respondent=self.instance.respondent, items=items
        )
        if problems:
            raise ValidationError(problems)


class ItemInline(admin.TabularInline):
    model = Item
    formset = ItemFormSet
    extra = 1
    fields = (
        "order",
        "text",
        "kind",
        "required",
        "is_learning_gain",
        "is_retrospective",
        "low_label",
        "high_label",
        "choices",
        "help_text",
    )

    def _locked(self, obj):
        return obj is not None and selectors.questionnaire_has_answers(obj)

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("name", "stage", "course", "version", "is_current", "item_count", "responses")
    list_filter = ("stage", "is_current", ("course", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "family", "course__title")
    readonly_fields = ("version", "is_current", "created_at")
    inlines = [ItemInline]
    change_form_template = "admin/evaluations/questionnaire_change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("course")
            .annotate(n_items=Count("items", distinct=True))
        )

    @admin.display(description="Questions", ordering="n_items")
    def item_count(self, obj):
        return obj.n_items

    @admin.display(description="Answered")
    def responses(self, obj):
        return "Yes" if selectors.questionnaire_has_answers(obj) else "No"

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and selectors.questionnaire_has_answers(obj):
            fields += ["name", "stage", "respondent", "course", "family", "intro"]
        return fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = extra_context or {}
        extra_context["locked"] = obj is not None and selectors.questionnaire_has_answers(obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        custom = [
            path(
                "<int:pk>/new-version/",
                self.admin_site.admin_view(self.new_version_view),
                name="evaluations_questionnaire_new_version",
            )
        ]
        return custom + super().get_urls()

    def new_version_view(self, request, pk):
        if request.method != "POST" or not self.has_change_permission(request):
            return redirect(reverse("admin:evaluations_questionnaire_change", args=[pk]))
        questionnaire = self.get_object(request, str(pk))
        new = services.questionnaire_new_version(questionnaire=questionnaire)
        messages.success(
            request,
            f"Version {new.version} is now the current one. Edit its questions here; "
            f"answers already given keep version {questionnaire.version}'s wording.",
        )
        return redirect(reverse("admin:evaluations_questionnaire_change", args=[new.pk]))


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("booking", "stage", "respondent", "created_at", "expires_at")
    list_filter = ("stage", "respondent")
    search_fields = ("booking__person__email", "booking__event__course__title")
    raw_id_fields = ("booking", "questionnaire")
    readonly_fields = ("key",)

    def has_add_permission(self, request):
        return False


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ("item", "rating", "choice", "text", "is_publishable")
    readonly_fields = ("item", "rating", "choice", "text")
    extra = 0
    can_delete = False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("invitation", "questionnaire", "submitted_at", "imported_score")
    list_filter = ("invitation__stage", ("submitted_at", admin.EmptyFieldListFilter))
    search_fields = ("invitation__booking__person__email",)
    readonly_fields = (
        "invitation",
        "questionnaire",
        "started_at",
        "submitted_at",
        "imported_score",
    )
    inlines = [AnswerInline]

    def has_add_permission(self, request):
        return False
