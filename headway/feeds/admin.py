from django.contrib import admin

from headway.feeds.models import Source, SyncLog, Upload, Webhook, WorkerHeartbeat


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


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "organization", "user", "created_at", "committed_at")
    list_select_related = ("organization", "user")
    exclude = ("content",)  # the raw file: shown as its parsed preview on the upload page


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("worker_id", "seen_at")
