from django.contrib import admin

from worker.models import Message, NotificationPreference


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["kind", "to", "subject", "created_at", "sent_at", "suppressed", "attempts"]
    list_filter = ["kind", "essential", "suppressed"]
    search_fields = ["to", "key", "subject"]
    readonly_fields = [
        "key", "created_at", "sent_at", "suppressed", "claimed_until", "attempts", "last_error",
    ]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["email", "non_essential", "updated_at"]
    search_fields = ["email"]
