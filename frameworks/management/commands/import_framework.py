from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from frameworks.fileformat import FrameworkFileError
from frameworks.services import FrameworkVersionIncomplete, framework_version_import
from frameworks.spreadsheet import parse_any


class Command(BaseCommand):
    help = (
        "Import one framework version from a maturity-framework/1 YAML or JSON file, or a "
        "spreadsheet (.xlsx) laid out as the service's spreadsheet download."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The YAML, JSON or XLSX file to import.")
        parser.add_argument(
            "--publish", action="store_true", help="Publish the version once it is imported."
        )

    def handle(self, *args, path, publish, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        sheet = None
        try:
            spec, sheet = parse_any(
                file.read_bytes(), filename=file.name, max_bytes=settings.FRAMEWORK_FILE_MAX_BYTES
            )
            version = framework_version_import(spec=spec, publish=publish)
        except FrameworkFileError as exc:
            for message in sheet.messages(exc) if sheet else exc.messages:
                self.stderr.write(f"{path}: {message}")
            raise CommandError(
                f"{path} was not imported ({len(exc.problems)} problem"
                f"{'s' if len(exc.problems) != 1 else ''}); nothing was changed."
            ) from None
        except FrameworkVersionIncomplete as exc:
            for message in exc.problems:
                self.stderr.write(f"{path}: {message}")
            raise CommandError(f"{path} could not be published; nothing was changed.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {version.name} {version.version} ({spec.question_count} questions "
                f"in {len(spec.dimensions)} dimensions) as {version.get_status_display().lower()}."
            )
        )
