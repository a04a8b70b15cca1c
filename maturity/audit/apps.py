from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "maturity.audit"
    label = "audit"
    verbose_name = "Audit log"
