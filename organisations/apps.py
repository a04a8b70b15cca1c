from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = "Organisations and people"

    def ready(self):
        from organisations import audit

        audit.register()
