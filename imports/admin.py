"""Admin: the L&D lead's import runs, read-only (a record of what was imported, and by whom);
saved column mappings, to look at or delete (they are saved from an upload's preview)."""

from django.contrib import admin

from imports.models import ImportMapping, ImportRun
from people.admin import ReadOnlyAdminMixin


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("uploaded_at", "uploaded_by", "dry_run", "state", "finished_at", "error_count")
    list_filter = ("state", "dry_run")
    list_select_related = ("uploaded_by",)
    date_hierarchy = "uploaded_at"
    # Never the files: other people's personal data, held only until the run finishes.
    fields = (
        "uploaded_by",
        "uploaded_at",
        "dry_run",
        "state",
        "started_at",
        "finished_at",
        "attempts",
        "file_names",
        "confirmed_at",
        "mapping",
        "summary",
        "error_count",
        "errors",
        "failure",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("files")


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "created_by", "updated_at")
    list_select_related = ("created_by",)
    search_fields = ("name",)
    fields = ("name", "columns", "created_by", "updated_at")
    # Saved through imports.services.import_mapping_save (which checks the fields), never here.
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
