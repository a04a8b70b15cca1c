from django.core.management.base import BaseCommand, CommandError

from improvement.services import overdue_actions_email


class Command(BaseCommand):
    help = (
        "Queue one email to the owner of each open action past its due date (run daily). Each "
        "action is emailed once for each due date, so running it again sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            required=True,
            help="The service's address, for the link in the email, e.g. https://maturity.example.gov.uk",
        )

    def handle(self, *args, base_url, **options):
        if not base_url.startswith(("https://", "http://")):
            raise CommandError("--base-url must start with https:// (or http://)")
        queued = overdue_actions_email(base_url=base_url)
        self.stdout.write(f"Queued {queued} overdue action email{'' if queued == 1 else 's'}.")
