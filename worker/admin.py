from django.contrib import admin

from worker.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["kind", "to", "subject", "created_at", "sent_at", "attempts"]
    list_filter = ["kind", "essential"]
    search_fields = ["to", "key", "subject"]
    readonly_fields = ["key", "created_at", "sent_at", "attempts", "last_error"]
