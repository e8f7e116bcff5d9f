from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from headway.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """History is evidence: readable, never added, edited or deleted by hand."""

    list_display = (
        "at",
        "organization",
        "actor_label",
        "surface",
        "object_type",
        "object_label",
        "action",
    )
    list_filter = ("organization", "surface", "object_type", "action")
    list_select_related = ("organization",)
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
