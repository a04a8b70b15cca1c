from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from frameworks.fileformat import dump_framework
from frameworks.models import FrameworkVersion
from frameworks.selectors import framework_version_spec


class Command(BaseCommand):
    help = "Write one framework version as a maturity-framework/1 YAML or JSON file."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("version")
        parser.add_argument("--format", choices=["yaml", "json"], default="yaml")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, slug, version, format, output, **options):
        try:
            fv = FrameworkVersion.objects.get(framework__slug=slug, version=version)
        except FrameworkVersion.DoesNotExist:
            known = ", ".join(
                f"{s} {v}"
                for s, v in FrameworkVersion.objects.values_list("framework__slug", "version")
            )
            raise CommandError(
                f"No framework version {slug} {version}. Known: {known or 'none'}."
            ) from None
        text = dump_framework(framework_version_spec(framework_version=fv), format)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(self.style.SUCCESS(f"Wrote {fv.name} {fv.version} to {output}."))
        else:
            self.stdout.write(text, ending="")
