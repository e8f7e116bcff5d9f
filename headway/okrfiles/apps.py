from django.apps import AppConfig


class OkrfilesConfig(AppConfig):
    name = "headway.okrfiles"
    label = "okrfiles"
    verbose_name = "OKR files"
