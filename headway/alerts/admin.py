from django.contrib import admin

from headway.alerts.models import (
    AlertChannel,
    AlertEvent,
    AlertState,
    AlertSubscription,
    Delivery,
)


@admin.register(AlertChannel)
class AlertChannelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("kpi", "kind")


@admin.register(AlertSubscription)
class AlertSubscriptionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("kpi", "user", "email")


@admin.register(AlertEvent)
class AlertEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("kpi", "event", "message", "created_at")
    list_filter = ("event",)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("event", "channel", "email", "status", "attempts", "sent_at")
    list_filter = ("status", "channel")


@admin.register(AlertState)
class AlertStateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """What the alerts last saw per KPI; changing it would re-fire or swallow an alert."""

    list_display = ("kpi", "rag", "stale", "deteriorating", "updated_at")
    readonly_fields = ("kpi", "rag", "stale", "deteriorating", "updated_at")
