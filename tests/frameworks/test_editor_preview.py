"""The editor's preview of a question page: the respondents' own page and answer form,
read-only, for framework editors only, drafts included."""

import pytest
from django.urls import reverse

from assessments.models import AgreedAnswer, Answer
from frameworks import services
from frameworks.models import Question
from tests.conftest import CsrfClient
from tests.factories import UserFactory, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(editor):
    published = make_version(slug="previewed", version="1.0.0")
    return services.framework_version_create_draft(
        framework=published.framework, version="2.0.0", clone_from=published, user=editor
    )


def questions(fv):
    return list(
        Question.objects.filter(dimension__framework_version=fv).order_by(
            "dimension__position", "position"
        )
    )


def preview_url(fv, question):
    return reverse(
        "assessments:question_preview",
        kwargs={"slug": fv.framework.slug, "version": fv.version, "qpk": question.pk},
    )


def test_the_preview_is_the_respondents_question_page_with_a_banner(editor_client, draft):
    first, second = questions(draft)[:2]
    response = editor_client.get(preview_url(draft, first))
    assert response.status_code == 200
    assert response.templates[0].name == "assessments/question.html"
    text = response.content.decode()
    assert (
        '<h2 class="govuk-notification-banner__title" id="preview-banner-title">Preview</h2>'
        in (text)
    )
    assert "Nothing you choose or type here is saved" in text
    assert "Question 1 of 6 · Dimension 1" in text
    assert '<h1 class="govuk-heading-l">Question 1 of dimension 1?</h1>' in text
    assert "Help for question 1." in text
    # The real answer form: every level with this question's descriptor as its hint.
    assert text.count('name="answer"') == 7  # five levels, not applicable, don't know
    for value in range(1, 6):
        assert f"D1 Q1 at level {value}." in text
    assert 'name="evidence"' in text and 'name="confidence"' in text
    # Read-only: no autosave, and the save buttons are switched off.
    assert "data-autosave-url" not in text and "autosave.js" not in text
    assert text.count('disabled aria-disabled="true"') == 2
    assert preview_url(draft, second) in text
    assert reverse("frameworks:editor_question", args=["previewed", "2.0.0", first.pk]) in text


def test_the_preview_shows_the_drafts_latest_text(editor_client, draft):
    question = questions(draft)[-1]
    services.question_update(
        question=question,
        content=services.QuestionContent(
            dimension=question.dimension,
            slug=question.slug,
            text="Is the edited text shown?",
            descriptors={v: f"Edited level {v}." for v in range(1, 6)},
        ),
    )
    text = editor_client.get(preview_url(draft, question)).content.decode()
    assert "Is the edited text shown?" in text and "Edited level 4." in text
    assert "Question 6 of 6 · Dimension 2" in text
    assert "Preview the next question" not in text


def test_a_published_version_can_be_previewed_but_not_changed_from_there(editor_client, draft):
    published = draft.cloned_from
    text = editor_client.get(preview_url(published, questions(published)[0])).content.decode()
    assert "Nothing you choose or type here is saved" in text
    assert "Change this question" not in text
    assert f"Back to version {published.version}" in text


def test_the_preview_saves_nothing(editor_client, draft):
    question = questions(draft)[0]
    editor_client.get("/")
    token = editor_client.cookies["csrftoken"].value
    response = editor_client.post(
        preview_url(draft, question), {"csrfmiddlewaretoken": token, "answer": "3", "version": 0}
    )
    assert response.status_code == 405
    assert not Answer.objects.exists() and not AgreedAnswer.objects.exists()


def test_only_editors_reach_the_preview(draft):
    target = preview_url(draft, questions(draft)[0])
    response = CsrfClient().get(target)
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")
    other = CsrfClient()
    other.force_login(UserFactory())
    assert other.get(target).status_code == 403
    published = draft.cloned_from
    assert other.get(preview_url(published, questions(published)[0])).status_code == 403


def test_a_question_of_another_version_is_not_previewed_through_this_one(editor_client, draft):
    other = questions(draft.cloned_from)[0]
    assert editor_client.get(preview_url(draft, other)).status_code == 404
