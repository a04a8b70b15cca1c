from django.conf import settings
from django.core.management.base import BaseCommand

from reports.bulk import bulk_exports_prune, bulk_exports_reap
from reports.rendering import report_renders_prune, report_renders_reap


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


class Command(BaseCommand):
    help = (
        "Fail bulk exports whose worker stopped, and delete export zips older than "
        "BULK_EXPORT_RETENTION_DAYS (their exports are marked expired), and board reports drawn "
        "more than an hour ago. Idempotent: run it daily."
    )

    def handle(self, *args, **options):
        reaped = bulk_exports_reap()
        pruned = bulk_exports_prune()
        renders_reaped = report_renders_reap()
        renders_pruned = report_renders_prune()
        days = _count(settings.BULK_EXPORT_RETENTION_DAYS, "day", "days")
        self.stdout.write(
            f"{_count(reaped, 'stopped export', 'stopped exports')} marked as failed "
            f"(no progress for {settings.BULK_EXPORT_STALE_MINUTES} minutes)."
        )
        self.stdout.write(
            f"{_count(pruned.expired, 'export', 'exports')} older than {days} expired and "
            f"{'its zip file' if pruned.expired == 1 else 'their zip files'} deleted."
        )
        self.stdout.write(
            f"{_count(pruned.strays, 'zip file', 'zip files')} that no export refers to deleted."
        )
        self.stdout.write(
            f"{_count(renders_reaped, 'stopped report', 'stopped reports')} marked as failed and "
            f"{_count(renders_pruned, 'drawn report', 'drawn reports')} older than an hour "
            "deleted."
        )
