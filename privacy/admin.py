"""The audit trail in the admin: read-only for everyone, the L&D lead and superusers included."""

from django.contrib import admin

from people.admin import ReadOnlyAdminMixin
from privacy.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "action", "object_type", "object_repr", "actor")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "object_id", "actor__email")
    list_select_related = ("actor",)
    date_hierarchy = "at"
    readonly_fields = (
        "at",
        "actor",
        "subject",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "before",
        "after",
    )
