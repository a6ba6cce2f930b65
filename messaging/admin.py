"""The outbox, read-only in the admin (the lead resends from the failed-messages page)."""

from django.contrib import admin

from messaging.models import OutboundEmail
from people.admin import ReadOnlyAdminMixin


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "booking",
        "person",
        "purpose",
        "recipient_role",
        "state",
        "attempts",
        "sent_at",
    )
    list_filter = ("purpose", "state", "recipient_role")
    search_fields = ("booking__person__email", "person__email")
    list_select_related = ("person", "booking__person", "booking__event__course")
    raw_id_fields = ("booking", "person")
