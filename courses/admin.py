"""The L&D lead's catalogue admin: priority areas, courses with their rename history, events."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils import timezone

from courses.forms import CourseForm, EventForm
from courses.models import Course, CourseName, PriorityArea
from courses.services import CourseError, course_rename, event_save


@admin.register(PriorityArea)
class PriorityAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "first_year", "last_year", "course_count"]
    list_filter = ["last_year"]
    search_fields = ["name", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(course_count=Count("courses"))

    @admin.display(description="Courses", ordering="course_count")
    def course_count(self, obj):
        return obj.course_count


class CourseNameInline(admin.TabularInline):
    model = CourseName
    extra = 0
    fields = ["title", "valid_from", "valid_until"]
    verbose_name = "title history entry"
    verbose_name_plural = "Title history (a changed title is recorded here automatically)"


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    form = CourseForm
    inlines = [CourseNameInline]
    list_display = [
        "title",
        "priority_area",
        "audience",
        "competency_level",
        "delivery_mode",
        "is_published",
    ]
    list_filter = ["priority_area", "audience", "competency_level", "delivery_mode", "is_published"]
    list_select_related = ["priority_area"]
    search_fields = ["title", "names__title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["prerequisites"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            # The launch link is https (also silences Django 6's change of the default scheme).
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change and "title" in form.changed_data:
            # A new title is a rename: keep the old one in the history so reports join them.
            new_title = obj.title
            obj.title = form.initial["title"]
            obj.save()
            try:
                course_rename(course=obj, new_title=new_title, on=timezone.localdate())
            except CourseError as error:
                messages.error(request, str(error))
            obj.refresh_from_db()
        else:
            obj.save()


@admin.register(CourseName)
class CourseNameAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "valid_from", "valid_until"]
    list_select_related = ["course"]
    search_fields = ["title", "course__title"]
    list_filter = ["course__priority_area"]
    autocomplete_fields = ["course"]


# Registered by bookings/admin.py (a subclass): a capacity change there goes through
# bookings.services.event_capacity_change, which offers new places to the waiting list.
class EventAdmin(admin.ModelAdmin):
    form = EventForm
    # Status changes only through the services that send the emails: cancelling through
    # "Cancel this event" (bookings), delivered when the register is saved.
    readonly_fields = ["status", "cancellation_reason"]
    list_display = [
        "course",
        "start",
        "end",
        "status",
        "capacity",
        "places_taken_column",
        "venue",
    ]
    list_filter = ["status", "course__priority_area", "course__delivery_mode"]
    list_select_related = ["course", "venue"]
    search_fields = ["course__title", "course__names__title", "venue__name", "external_ref"]
    date_hierarchy = "start"
    filter_horizontal = ["trainers"]
    autocomplete_fields = ["course"]
    ordering = ["-start"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_places_taken()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Places taken", ordering="places_taken")
    def places_taken_column(self, obj):
        return obj.places_taken

    def save_model(self, request, obj, form, change):
        event_save(event=obj, recording_history=form.cleaned_data.get("recording_history", False))
