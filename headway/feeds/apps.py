from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "headway.feeds"
    label = "feeds"
    verbose_name = "KPI feeds"
