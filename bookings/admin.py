"""Admin for the L&D lead: bookings to look up and filter; the log and sent emails read-only.

Status changes go through the booking pages (bookings.services), so the admin shows a booking's
status and history but does not let anyone edit the status directly.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from bookings.models import Booking, BookingLog, CancellationReason, Enrolment
from bookings.services import (
    BookingBusy,
    BookingError,
    event_capacity_change,
    event_details_change,
)
from courses.admin import EventAdmin as CatalogueEventAdmin
from courses.models import Event
from courses.services import event_save
from people.admin import ReadOnlyAdminMixin


class BookingLogInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = BookingLog
    fields = ("at", "action", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("person", "event", "organisation", "status", "cancelled_late", "created_at")
    list_filter = (
        "status",
        "event__course__priority_area",
        "cancelled_late",
        "is_walk_in",
        "organisation__sector",
    )
    search_fields = ("person__email", "person__full_name", "event__course__title")
    raw_id_fields = ("booked_by", "substitute_for")
    list_select_related = ("person", "event__course", "organisation")
    date_hierarchy = "created_at"
    inlines = [BookingLogInline]
    # Workflow fields change only through the services (which lock, log and email).
    # Person, event and organisation too: moving a place bypasses the capacity lock and the log
    # (the lead uses "Move to another date" instead).
    readonly_fields = (
        "person",
        "event",
        "organisation",
        "status",
        "created_at",
        "confirmed_at",
        "offer_expires_at",
        "cancelled_at",
        "cancelled_late",
        "cancellation_reason",
        "cancellation_detail",
        "non_attendance_reason",
        "attendance_marked_at",
        "is_walk_in",
        "substitute_for",
        "booked_by",
    )

    def has_add_permission(self, request):
        # New bookings go through "Book someone on this event" so capacity is checked.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CancellationReason)
class CancellationReasonAdmin(admin.ModelAdmin):
    list_display = ("label", "use", "needs_detail", "order", "is_active")
    list_editable = ("order", "is_active")
    list_filter = ("use", "is_active")
    search_fields = ("label",)

    def has_delete_permission(self, request, obj=None):
        # Reasons are referenced by old bookings: retire them with "is active" instead.
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("person", "course", "organisation", "enrolled_at", "completed_at")
    list_filter = ("course", "organisation__sector")
    search_fields = ("person__email", "person__full_name", "course__title")
    raw_id_fields = ("person", "course", "organisation")
    list_select_related = ("person", "course", "organisation")
    date_hierarchy = "enrolled_at"


@admin.register(BookingLog)
class BookingLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "booking", "action", "from_status", "to_status", "actor")
    list_filter = ("action", "to_status")
    search_fields = ("booking__person__email", "actor__email")
    list_select_related = ("booking__person", "booking__event__course", "actor")
    date_hierarchy = "at"


@admin.register(Event)
class EventAdmin(CatalogueEventAdmin):
    """The catalogue's event admin, with the changes that touch bookings made by their services.

    Registered here, not in courses, because raising the capacity offers the new places to the
    waiting list, and a new time, venue or joining link is sent to everyone booked
    (bookings.services), and courses may not import bookings.
    """

    readonly_fields = [*CatalogueEventAdmin.readonly_fields, "cancel_link"]

    @admin.display(description="Cancel the event")
    def cancel_link(self, obj):
        if obj.pk is None or obj.status != Event.Status.SCHEDULED:
            return "-"
        return format_html(
            '<a href="{}">Cancel this event and email everyone booked</a>',
            reverse("bookings:event_cancel", args=[obj.pk]),
        )

    def save_model(self, request, obj, form, change):
        history = form.cleaned_data.get("recording_history", False)
        capacity_changed = change and "capacity" in form.changed_data
        capacity = obj.capacity
        if capacity_changed:
            obj.capacity = form.initial["capacity"]
        event_save(event=obj, recording_history=history)  # the other fields
        if capacity_changed:
            try:
                with transaction.atomic():
                    event_capacity_change(event=obj, capacity=capacity, actor=request.user)
            except (BookingError, BookingBusy) as error:
                messages.error(request, f"The capacity is unchanged: {error.message}")
            obj.refresh_from_db()
        if change:
            # A new time, venue or joining link: everyone holding a place gets an update.
            told = event_details_change(
                event=obj, changed=set(form.changed_data), actor=request.user
            )
            if told:
                delegates = "delegate" if told == 1 else "delegates"
                messages.info(
                    request,
                    f"We will email the new details, with an updated calendar invite, to the "
                    f"{told} {delegates} with a place.",
                )
