from django.apps import AppConfig


class OkrsConfig(AppConfig):
    name = "headway.okrs"
    label = "okrs"
    verbose_name = "Cycles, objectives, key results, check-ins"
