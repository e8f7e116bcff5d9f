from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "headway.alerts"
    label = "alerts"
    verbose_name = "KPI alerts"
