"""The demo's improvement plan: a few actions on the home organisation's latest submitted round
of the data, systems and technology framework, one overdue and one done, so the plan, "Your
actions" and the report's roadmap have something to show.

Idempotent: if the home organisation has any action, nothing is added. Written through the
services, so the record of changes tells the story too.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from assessments.models import AgreedAnswer, Assessment
from improvement.models import Action
from improvement.services import action_create, action_note_add, action_set_status
from organisations.models import Membership, Organisation

FRAMEWORK = "data-systems-technology"


@transaction.atomic
def demo_plan_load(*, home: Organisation) -> int:
    """Add the demo actions; returns how many were added (0 when they are already there)."""
    if Action.objects.filter(organisation=home).exists():
        return 0
    assessment = (
        Assessment.objects.filter(
            organisation=home,
            status=Assessment.Status.SUBMITTED,
            framework_version__framework__slug=FRAMEWORK,
        )
        .select_related("framework_version")
        .order_by("-submitted_at")
        .first()
    )
    people = {
        m.user.email: m.user
        for m in Membership.objects.filter(organisation=home).select_related("user")
    }
    lead, officer = people.get("lead@demo.example"), people.get("officer@demo.example")
    if assessment is None or lead is None:
        return 0
    # The lowest agreed answers first: the questions an action would most plausibly move.
    lowest = list(
        AgreedAnswer.objects.filter(assessment=assessment, state=AgreedAnswer.State.LEVEL)
        .select_related("question__dimension")
        .order_by("level", "question__dimension__position", "question__position")[:3]
    )
    if len(lowest) < 3:
        return 0
    today = timezone.localdate()
    plans = (
        ("Publish a catalogue of the council's data sets", officer, today - timedelta(days=14)),
        ("Name an owner for every data set", officer, today + timedelta(days=60)),
        ("Agree one address standard across services", lead, today + timedelta(days=120)),
    )
    actions = []
    for (title, owner, due), answer in zip(plans, lowest, strict=True):
        actions.append(
            action_create(
                assessment=assessment,
                by=lead,
                title=title,
                dimension=answer.question.dimension,
                questions=[answer.question],
                target_level=(answer.level or 0) + 1,
                owner=owner,
                due_date=due,
            )
        )
    overdue, in_progress, done = actions
    action_note_add(action=overdue, by=lead, text="Waiting for the data protection review.")
    action_set_status(
        action=in_progress,
        by=officer or lead,
        status=Action.Status.IN_PROGRESS,
        base_version=0,
        note="Owners named for adults' and children's services so far.",
    )
    action_set_status(
        action=done,
        by=lead,
        status=Action.Status.DONE,
        base_version=0,
        note="Adopted BS 7666 in the corporate address register.",
    )
    return len(actions)
