from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        from assessments import checks, hooks  # noqa: F401  (checks register themselves)

        hooks.register()
