from django.contrib import admin

from feeds.models import CalendarToken, PublishedFeed


@admin.register(PublishedFeed)
class PublishedFeedAdmin(admin.ModelAdmin):
    list_display = ["key", "etag", "last_modified", "built_at", "stale_since"]
    search_fields = ["key"]
    exclude = ["body", "gzip_body"]
    readonly_fields = ["key", "etag", "last_modified", "built_at", "stale_since"]


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    list_display = ["person", "created_at"]
    exclude = ["digest"]
    readonly_fields = ["person", "created_at"]
