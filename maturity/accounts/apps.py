from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "maturity.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from maturity import housekeeping, mail
        from maturity.accounts import (
            checks,  # noqa: F401  (registers the deploy checks)
            tasks,  # noqa: F401  (registers its email task)
        )

        housekeeping.register("maturity.requeue_email_tasks", mail.email_tasks_requeue)
