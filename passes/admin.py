from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from passes import services
from passes.models import (
    CheckIn,
    CheckinAttempt,
    Kiosk,
    Pass,
    PassNetwork,
    Plan,
    SettlementLine,
    SettlementMonth,
    Visit,
    hash_token,
)


@admin.register(PassNetwork)
class PassNetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "coordinator", "visit_value", "public_flows"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["spaces"]
    autocomplete_fields = ["coordinator"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "network", "price", "period", "allowance", "validity_days",
                    "per_space_cap", "is_active"]
    list_filter = ["network", "period", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["eligible_spaces"]


@admin.register(Pass)
class PassAdmin(admin.ModelAdmin):
    list_display = ["short_code", "holder", "plan", "issuing_space", "valid_from", "valid_until", "status"]
    list_filter = ["status", "plan", "issuing_space"]
    search_fields = ["short_code", "holder__email", "holder__full_name"]
    autocomplete_fields = ["holder"]
    readonly_fields = ["code", "short_code", "created_at"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["day", "pass_obj", "space", "value"]
    list_filter = ["space", "day"]
    date_hierarchy = "day"
    search_fields = ["pass_obj__short_code", "pass_obj__holder__email"]
    readonly_fields = ["pass_obj", "space", "day", "value", "created_at"]
    actions = ["remove_visits"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting goes through visit_remove, which keeps closed months untouched.
        return False

    @admin.action(description=_("Annuler les passages choisis (régularisés au mois suivant si clôturé)"))
    def remove_visits(self, request, queryset):
        for visit in queryset:
            services.visit_remove(visit=visit)
        self.message_user(request, _("Passages annulés."), messages.SUCCESS)


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["checked_in_at", "checked_out_at", "pass_obj", "space", "channel", "auto_checked_out"]
    list_filter = ["space", "channel", "auto_checked_out"]
    date_hierarchy = "checked_in_at"
    search_fields = ["pass_obj__short_code", "pass_obj__holder__email"]
    readonly_fields = ["pass_obj", "space", "visit", "checked_in_at", "channel", "checked_in_by", "kiosk"]

    def has_add_permission(self, request):
        return False


@admin.register(CheckinAttempt)
class CheckinAttemptAdmin(admin.ModelAdmin):
    list_display = ["at", "outcome", "space", "pass_obj", "kiosk", "person"]
    list_filter = ["outcome", "space"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Kiosk)
class KioskAdmin(admin.ModelAdmin):
    list_display = ["name", "space", "created_at", "revoked_at"]
    list_filter = ["space"]
    actions = ["rotate_token"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.token_hash = hash_token(token := services.new_kiosk_token())
            self.message_user(request, _("Jeton de la borne (affiché une seule fois) : %s") % token,
                              messages.WARNING)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Générer un nouveau jeton"))
    def rotate_token(self, request, queryset):
        for kiosk in queryset:
            token = services.kiosk_rotate_token(kiosk=kiosk)
            self.message_user(request, _("%(kiosk)s : nouveau jeton %(token)s")
                              % {"kiosk": kiosk, "token": token}, messages.WARNING)


class SettlementLineInline(admin.TabularInline):
    model = SettlementLine
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SettlementMonth)
class SettlementMonthAdmin(admin.ModelAdmin):
    """Read-only: months are closed through the API service, and a closed month never changes."""

    list_display = ["network", "month", "closed_at", "closed_by"]
    list_filter = ["network"]
    inlines = [SettlementLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
