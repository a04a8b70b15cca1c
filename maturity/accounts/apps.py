from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "maturity.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from maturity.accounts import checks  # noqa: F401  (registers the deploy checks)
