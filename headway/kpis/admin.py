from django.contrib import admin

from headway.kpis.models import KPI, Measurement


@admin.register(KPI)
class KPIAdmin(admin.ModelAdmin[KPI]):
    list_display = ("name", "ref", "team", "cadence", "aggregation", "direction", "target", "red")
    list_filter = ("organization", "cadence", "direction")
    search_fields = ("name", "ref")
    list_select_related = ("team",)
    raw_id_fields = ("owner",)


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin[Measurement]):
    list_display = ("kpi", "at", "value", "source", "idempotency_key")
    list_filter = ("organization", "source")
    list_select_related = ("kpi",)
    raw_id_fields = ("kpi",)
    date_hierarchy = "at"
