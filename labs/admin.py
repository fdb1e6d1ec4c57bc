from django.contrib import admin

from labs.models import Replay


@admin.register(Replay)
class ReplayAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "lab", "title", "length", "source", "created")
    list_filter = ("lab", "source")
    search_fields = ("id", "title")
