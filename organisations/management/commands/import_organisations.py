from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organisations.orgimport import (
    COLUMNS,
    MAX_BYTES,
    OrganisationFileError,
    organisation_parents,
    organisations_import,
    parse_organisations,
    too_large_problem,
)


class Command(BaseCommand):
    help = (
        f"Create or update organisations from a UTF-8 CSV file with the columns "
        f"{', '.join(COLUMNS)} (matched by code). Idempotent: a file already imported changes "
        f"nothing. A file with any problem changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file to import.")

    def handle(self, *args, path, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            size = file.stat().st_size
            if size > MAX_BYTES:  # before reading it into memory
                raise OrganisationFileError([too_large_problem(size)])
            rows = parse_organisations(file.read_bytes(), existing=organisation_parents())
            result = organisations_import(rows=rows)
        except OrganisationFileError as exc:
            for message in exc.messages:
                self.stderr.write(f"{path}: {message}")
            count = len(exc.problems)
            raise CommandError(
                f"{path} was not imported ({count} problem{'s' if count != 1 else ''}); "
                "nothing was changed."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {path}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
