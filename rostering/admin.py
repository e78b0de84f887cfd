"""Django admin for roster imports: looked at, not edited by hand."""

from django.contrib import admin

from .models import RosterImport


@admin.register(RosterImport)
class RosterImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "district", "original_name", "status", "error_count"]
    list_filter = ["status", "district"]
    readonly_fields = ["preview_counts", "counts", "problems", "progress"]
    raw_id_fields = ["uploaded_by", "applied_by"]
