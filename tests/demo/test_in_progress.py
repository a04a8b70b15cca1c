"""The demo's assessment in progress: the respondents sign in to something to do."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from assessments.models import Answer, Assessment, Participation
from demo.in_progress import ROUND, demo_in_progress_load
from demo.organisations import demo_load
from demo.rounds import demo_rounds_load, library_revisions
from frameworks.builtin import library_load
from maturity.audit.models import AuditEvent
from tests.conftest import CsrfClient

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-2026"
User = get_user_model()


@pytest.fixture
def demo():
    result = demo_load(password=PASSWORD, count=30)
    library_load()
    demo_rounds_load(organisations=[result.home], revisions=library_revisions())
    return result


def signed_in(email):
    client = CsrfClient()
    client.force_login(User.objects.get(email=email))
    return client


def test_the_demo_officer_signs_in_to_an_assessment_with_answers_to_finish(demo):
    result = demo_in_progress_load(home=demo.home)
    assessment = result.assessment
    assert result.created and assessment.status == Assessment.Status.DRAFT
    assert assessment.round_label == ROUND and assessment.organisation == demo.home
    assert assessment.framework_version.version == "2.0.0"
    questions = assessment.framework_version.dimensions.values("questions").count()
    answered = {
        email: Answer.objects.filter(assessment=assessment, respondent__email=email).count()
        for email in ("officer@demo.example", "officer2@demo.example", "lead@demo.example")
    }
    assert 0 < answered["lead@demo.example"] < answered["officer@demo.example"] < questions
    assert answered["officer2@demo.example"] < questions
    assert [p.person.email for p in Participation.objects.filter(finished_at__isnull=False)] == [
        "officer2@demo.example"
    ]
    assert not AuditEvent.objects.filter(action__startswith="answer").exists()

    officer = signed_in("officer@demo.example")
    organisation = officer.get(demo.home.get_absolute_url()).content.decode()
    assert assessment.get_absolute_url() in organisation
    task_list = officer.get(assessment.get_absolute_url()).content.decode()
    assert f"{answered['officer@demo.example']} of {questions} questions" in task_list
    assert "Not finished" in task_list

    lead = signed_in("lead@demo.example").get(assessment.get_absolute_url()).content.decode()
    assert "1 of 3 people have told you they have finished answering." in lead
    # The respondents disagree on some questions, for the lead to settle.
    first = assessment.framework_version.dimensions.order_by("position").first()
    agree = signed_in("lead@demo.example").get(
        reverse(
            "assessments:agree_dimension",
            kwargs={"pk": demo.home.pk, "apk": assessment.pk, "dpk": first.pk},
        )
    )
    assert "Differ by 2" in agree.content.decode()


def test_the_demo_assessment_in_progress_is_made_once(demo):
    first = demo_in_progress_load(home=demo.home)
    Answer.objects.filter(assessment=first.assessment).update(level=1)
    again = demo_in_progress_load(home=demo.home)
    assert not again.created and again.assessment == first.assessment
    assert not Answer.objects.filter(assessment=first.assessment).exclude(level=1).exists()
