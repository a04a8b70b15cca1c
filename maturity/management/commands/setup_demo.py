from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_PASSWORD = "demo-password-2026"
EDITORS_GROUP = "Framework editors"
DEMO_USERS = [
    {
        "email": "editor@demo.example",
        "full_name": "Demo Framework Editor",
        "groups": [EDITORS_GROUP],
        "is_staff": True,
        "role": "framework editor",
    },
]


def ensure_editors_group() -> Group:
    """The framework editors' group: author frameworks, and edit drafts in the admin."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    perms = Permission.objects.filter(content_type__app_label="frameworks")
    group.permissions.set(perms)
    return group


class Command(BaseCommand):
    help = (
        "Create the demo organisations and people (fictional, for local use only) and print "
        "their logins. "
        "Idempotent: existing demo accounts get their password reset to the demo password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-history",
            action="store_true",
            help="Skip the three rounds of submitted assessments (about 20 seconds on SQLite).",
        )

    @transaction.atomic
    def handle(self, *args, without_history=False, **options):
        User = get_user_model()
        ensure_editors_group()
        lines = []
        for spec in DEMO_USERS:
            user, created = User.objects.get_or_create(
                email=spec["email"],
                defaults={"full_name": spec["full_name"], "is_staff": spec["is_staff"]},
            )
            user.set_password(DEMO_PASSWORD)
            user.is_staff = spec["is_staff"]
            user.save()
            user.groups.set(Group.objects.filter(name__in=spec["groups"]))
            lines.append(
                f"  {spec['role']:<18} {spec['email']:<28} password: {DEMO_PASSWORD}"
                f"{'  (created)' if created else ''}"
            )
        from assessments.demo import demo_load

        result = demo_load(password=DEMO_PASSWORD)
        orgs = result.organisations
        self.stdout.write(
            f"Demo organisations: {orgs.created} created, {orgs.updated} updated, "
            f"{orgs.unchanged} unchanged. Home organisation: {result.home.name}."
        )
        if not without_history:
            from assessments.demo_rounds import demo_rounds_load
            from frameworks.builtin import library_load

            library_load()
            rounds = demo_rounds_load()
            self.stdout.write(
                f"Demo history: {rounds.assessments_created} submitted assessments created "
                f"({rounds.answers_created} answers, {rounds.scores_created} scores), "
                f"{rounds.assessments_skipped} already there."
            )
        for role, email in result.logins:
            lines.append(f"  {role:<18} {email:<28} password: {DEMO_PASSWORD}")
        self.stdout.write(self.style.SUCCESS("Demo logins (fictional data, local use only):"))
        for line in lines:
            self.stdout.write(line)
        self.stdout.write("Open http://127.0.0.1:8000/ and sign in with one of these.")
