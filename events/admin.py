"""Admin for shared events. Edits made here bypass the services' checks (role, room
booking, capacity), so the admin is for staff repairs; organizers use the API.
Co-organizers are the one exception: they are read-only here, because only the
invited organization's own people make it a co-organizer."""

from django.contrib import admin
from django.db import models

from events.models import Campaign, CoOrganization, Event, EventMessage, Registration, Reminder, Series, Theme
from events.reminders import reminders_sync
from events.services import ATTENDEE_FIELDS


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_on", "ends_on", "moderation_required", "resubmit_on_source_change"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["coordinators"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["name", "email", "status", "position", "created_at"]
    readonly_fields = ["created_at"]


class CoOrganizationInline(admin.TabularInline):
    model = CoOrganization
    extra = 0
    fields = readonly_fields = (
        "organization", "status", "requested_by", "requested_at", "decided_by", "decided_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "starts_at", "status", "campaign", "moderation", "room"]
    list_filter = ["status", "moderation", "format", "campaign"]
    search_fields = ["title", "slug", "organization__name"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["organization", "room"]
    filter_horizontal = ["themes"]
    list_select_related = ["organization", "campaign", "room__space"]
    readonly_fields = ["co_organizers", "sequence", "recurrence_id", "moderated_by", "moderated_at",
                       "created_at", "updated_at"]
    inlines = [CoOrganizationInline, RegistrationInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        """Staff corrections write the row directly (no notices to registrants), but calendar
        clients still see a time or place change (``sequence``)."""
        changed = {name.removesuffix("_id") for name in ATTENDEE_FIELDS} & set(form.changed_data)
        if change and changed:
            obj.sequence += 1
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """Reminders follow the event and its registrations, whatever was edited here."""
        super().save_related(request, form, formsets, change)
        reminders_sync(event=form.instance)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "rrule", "starts_at"]
    search_fields = ["title"]
    autocomplete_fields = ["organization"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "event", "status", "position", "code", "checked_in_at", "created_at"]
    list_filter = ["status", ("checked_in_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email", "code", "event__title"]
    list_select_related = ["event"]
    raw_id_fields = ["event", "person", "checked_in_by"]
    readonly_fields = ["token", "code", "created_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        reminders_sync(event=obj.event, registrations=[obj])


@admin.register(EventMessage)
class EventMessageAdmin(admin.ModelAdmin):
    """Read-only: what organizers wrote; each copy is a row of the outbox (``event-message:…``)."""

    list_display = ["subject", "event", "audience", "recipients", "sent_by", "created_at"]
    list_filter = ["audience"]
    search_fields = ["subject", "event__title"]
    list_select_related = ["event", "sent_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Read-only: the services keep reminders in line with their event and registration."""

    list_display = ["registration", "kind", "due_at", "sent_at"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["registration__email", "registration__event__title"]
    list_select_related = ["registration__event"]
    date_hierarchy = "due_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
