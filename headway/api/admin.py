from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from headway.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens are made (and shown once) on the token page; here they can only be read."""

    list_display = ("name", "organization", "user", "kind", "read_only", "hint")
    list_filter = ("organization", "kind", "read_only")
    list_select_related = ("organization", "user")
    exclude = ("token_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
