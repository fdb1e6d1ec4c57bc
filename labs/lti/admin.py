"""Grade passback in the admin: line items and each student's send, with a retry action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from labs.lti import ags
from labs.lti.models import GradeSend, LineItem, LtiAccount


@admin.action(description="Send the selected grades to the LMS again now")
def retry_sends(modeladmin: Any, request: HttpRequest, queryset: QuerySet[GradeSend]) -> None:
    results = [
        ags.deliver(send)
        for send in queryset.select_related("line_item__registration")
        if ags.claim(send)
    ]
    messages.info(request, f"Sent {sum(results)}; {len(results) - sum(results)} failed.")


@admin.register(GradeSend)
class GradeSendAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("line_item", "user", "score", "sent_score", "status", "tries", "next_try")
    list_filter = ("status",)
    search_fields = ("user__username", "line_item__quiz__slug")
    readonly_fields = (
        "line_item",
        "user",
        "score",
        "max_score",
        "sent_score",
        "status",
        "tries",
        "last_error",
        "next_try",
        "claimed_until",
        "updated",
    )
    actions = [retry_sends]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(LineItem)
class LineItemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("quiz", "course", "url", "registration", "created")
    readonly_fields = ("created",)


@admin.register(LtiAccount)
class LtiAccountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "issuer", "sub", "created")
    search_fields = ("user__username", "sub")
    readonly_fields = ("created",)
