from django.core.management.base import BaseCommand

from frameworks.builtin import library_load

MESSAGES = {
    "loaded": "loaded and published",
    "published": "published (it was a draft)",
    "unchanged": "already loaded, unchanged",
    "differs": "NOT loaded: this version is already in the database with different content; "
    "give the file a new version number",
    "superseded": "NOT loaded: the database already has this version number written another "
    "way or a higher version of this framework, which stays the current one",
}


class Command(BaseCommand):
    help = "Load and publish the built-in frameworks from frameworks/library/. Idempotent."

    def handle(self, *args, **options):
        for result in library_load():
            style = (
                self.style.WARNING
                if result.outcome in ("differs", "superseded")
                else self.style.SUCCESS
            )
            self.stdout.write(
                style(
                    f"{result.spec.name} {result.spec.version} "
                    f"({result.spec.question_count} questions): {MESSAGES[result.outcome]}"
                )
            )
