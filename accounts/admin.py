from django.contrib import admin

from accounts.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are made, resent and revoked on the members page or in the API."""

    list_display = ["email", "organization", "role", "held_pass", "status", "created_at", "expires_at"]
    list_filter = ["role"]
    search_fields = ["email", "organization__name"]
    list_select_related = ["organization", "held_pass"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
