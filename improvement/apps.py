from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "improvement"
    verbose_name = "Improvement plan"

    def ready(self):
        from improvement import hooks

        hooks.register()
