from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from spaces.models import Closure, OpeningHours, Room, Space
from spaces.services import InvalidOpeningHours, OverlappingOpeningHours, Range, check_opening_ranges


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


class OpeningHoursFormSet(BaseInlineFormSet):
    """The admin applies the same overlap rule as the API."""

    def clean(self):
        super().clean()
        ranges = [
            Range(weekday=form.cleaned_data["weekday"], opens=form.cleaned_data["opens"],
                  closes=form.cleaned_data["closes"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
            and all(form.cleaned_data.get(f) is not None for f in ("weekday", "opens", "closes"))
        ]
        try:
            check_opening_ranges(ranges)
        except (InvalidOpeningHours, OverlappingOpeningHours) as error:
            raise ValidationError(str(error)) from error


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    formset = OpeningHoursFormSet
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["name", "operator", "commune_insee", "desk_capacity", "self_checkin_allowed"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["operator"]
    inlines = [OpeningHoursInline, ClosureInline, RoomInline]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "space", "capacity"]
    search_fields = ["name", "space__name"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["space", "starts_on", "ends_on", "reason"]
    list_filter = ["space"]
    date_hierarchy = "starts_on"
