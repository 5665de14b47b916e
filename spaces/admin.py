from django.contrib import admin

from spaces.models import Room, Space


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["name", "operator", "commune_insee", "desk_capacity"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["operator"]
    inlines = [RoomInline]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "space", "capacity"]
    search_fields = ["name", "space__name"]
