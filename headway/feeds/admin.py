from django.contrib import admin

from headway.feeds.models import Source, SyncLog, Webhook


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kpi", "kind", "schedule", "enabled", "next_run_at", "failures")
    list_filter = ("kind", "enabled")


@admin.register(SyncLog)
class SyncLogAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("source", "trigger", "started_at", "rows", "created", "corrected", "error")
    list_filter = ("trigger",)


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("kpi", "created_at", "last_used_at")
    exclude = ("secret",)
