from django.contrib import admin

from imports.models import Source, SourceItem


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "kind", "paused", "last_success_at", "failures", "next_sync_at"]
    list_filter = ["kind", "paused"]
    search_fields = ["name", "url", "organization__name"]
    readonly_fields = ["etag", "last_modified", "content_hash", "last_checked_at", "last_success_at",
                       "last_error", "last_error_at", "failures", "last_report", "created_at", "updated_at"]
    raw_id_fields = ["organization", "owner", "campaign"]


@admin.register(SourceItem)
class SourceItemAdmin(admin.ModelAdmin):
    list_display = ["uid", "recurrence_key", "source", "event", "detached_at"]
    search_fields = ["uid", "event__title"]
    raw_id_fields = ["source", "event"]
