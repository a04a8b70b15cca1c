from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.evidence import demo_evidence_load
from demo.in_progress import demo_in_progress_load
from demo.organisations import demo_load
from demo.plan import demo_plan_load
from demo.rounds import demo_rounds_load, library_revisions
from frameworks.builtin import library_load
from frameworks.services import EDITORS_GROUP, editors_group

DEMO_PASSWORD = "demo-password-2026"
DEMO_USERS = [
    {
        "email": "editor@demo.example",
        "full_name": "Demo Framework Editor",
        "groups": [EDITORS_GROUP],
        "is_staff": True,
        "role": "framework editor",
    },
]


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
            help="Skip the three rounds of submitted assessments (about 25 seconds on SQLite).",
        )

    def handle(self, *args, without_history=False, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "setup_demo does not run in production (MATURITY_ENV=production): it creates "
                f"accounts whose password, {DEMO_PASSWORD!r}, is published in the README. "
                "Use it on a development machine only."
            )
        self._load(without_history=without_history)

    @transaction.atomic
    def _load(self, *, without_history):
        User = get_user_model()
        editors = editors_group()
        lines = []
        for spec in DEMO_USERS:
            user, created = User.objects.get_or_create(
                email=spec["email"],
                defaults={"full_name": spec["full_name"], "is_staff": spec["is_staff"]},
            )
            user.set_password(DEMO_PASSWORD)
            user.is_staff = spec["is_staff"]
            user.save()
            user.groups.set([editors] if EDITORS_GROUP in spec["groups"] else [])
            lines.append(
                f"  {spec['role']:<18} {spec['email']:<28} password: {DEMO_PASSWORD}"
                f"{'  (created)' if created else ''}"
            )
        result = demo_load(password=DEMO_PASSWORD)
        orgs = result.organisations
        self.stdout.write(
            f"Demo organisations: {orgs.created} created, {orgs.updated} updated, "
            f"{orgs.unchanged} unchanged. Home organisation: {result.home.name}."
        )
        if not without_history:
            library_load()
            revisions = library_revisions()
            rounds = demo_rounds_load(revisions=revisions)
            self.stdout.write(
                f"Demo history: {rounds.assessments_created} submitted assessments created "
                f"({rounds.answers_created} answers, {rounds.scores_created} scores), "
                f"{rounds.assessments_skipped} already there."
            )
            in_progress = demo_in_progress_load(home=result.home)
            if in_progress.created:
                self.stdout.write(
                    f"Demo assessment in progress: {in_progress.assessment.round_label} on "
                    f"{in_progress.assessment.framework_version}, with {in_progress.answers} "
                    "answers from its respondents."
                )
            planned = demo_plan_load(home=result.home)
            if planned:
                self.stdout.write(
                    f"Demo improvement plan: {planned} actions for {result.home.name}, one "
                    "overdue and one done."
                )
            files = demo_evidence_load(home=result.home)
            if files:
                self.stdout.write(
                    f"Demo evidence files: {files}, a board paper on an agreed answer and a "
                    "respondent's spreadsheet in the round in progress."
                )
            if revisions and rounds.assessments_created:
                self.stdout.write(
                    "Most demo bodies answered their last round on "
                    f"{', '.join(str(fv) for fv in revisions)}; their earlier rounds are on "
                    "each framework's first version."
                )
        for role, email in result.logins:
            lines.append(f"  {role:<18} {email:<28} password: {DEMO_PASSWORD}")
        self.stdout.write(self.style.SUCCESS("Demo logins (fictional data, local use only):"))
        for line in lines:
            self.stdout.write(line)
        self.stdout.write("Open http://127.0.0.1:8000/ and sign in with one of these.")
