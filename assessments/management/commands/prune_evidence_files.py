from django.core.management.base import BaseCommand

from assessments.services import STRAY_AGE, evidence_files_prune


class Command(BaseCommand):
    help = (
        "Delete evidence files no answer uses any more (their answers were deleted with a "
        "person or an assessment) and stored blobs no file refers to. Idempotent: run it daily."
    )

    def handle(self, *args, **options):
        files, strays = evidence_files_prune()
        self.stdout.write(
            f"{files} evidence file{'' if files == 1 else 's'} no answer uses deleted, and "
            f"{strays} stored blob{'' if strays == 1 else 's'} no file refers to (older than "
            f"{STRAY_AGE.seconds // 3600} hour) deleted."
        )
