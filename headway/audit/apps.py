from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "headway.audit"
    label = "audit"
    verbose_name = "Audit history"

    def ready(self) -> None:
        from headway.audit import registry

        registry.register_all()
