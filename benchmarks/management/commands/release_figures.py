from django.core.management.base import BaseCommand, CommandError

from benchmarks.services import peer_figures_release
from frameworks.models import FrameworkVersion


class Command(BaseCommand):
    help = (
        "Release the peer figures of a framework's versions as they stand now (at the end of a "
        "collection window). Between releases a group's figures change only once 3 or more of "
        "its organisations have submitted or reopened."
    )

    def add_arguments(self, parser):
        parser.add_argument("framework", help="The framework's slug, e.g. seven-tribes-of-digital")
        parser.add_argument(
            "version", nargs="?", help="One version; all published ones if left out"
        )

    def handle(self, *args, framework, version=None, **options):
        versions = FrameworkVersion.objects.filter(framework__slug=framework).exclude(
            status=FrameworkVersion.Status.DRAFT
        )
        if version:
            versions = versions.filter(version=version)
        else:
            versions = versions.filter(status=FrameworkVersion.Status.PUBLISHED)
        found = list(versions.order_by("pk"))
        if not found:
            raise CommandError(f"No published version of {framework!r} matches.")
        groups = peer_figures_release(framework_version_ids=[v.pk for v in found])
        named = ", ".join(v.version for v in found)
        self.stdout.write(f"Released {groups} peer groups' figures for {framework} {named}.")
