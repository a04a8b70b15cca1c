"""The admin edits drafts and refuses every change to a published version."""

import pytest
from django.urls import reverse

from frameworks.models import Dimension, Question
from tests.factories import make_version

pytestmark = pytest.mark.django_db


def test_editor_can_edit_a_draft_question_in_the_admin(editor_client):
    draft = make_version(publish=False)
    question = Question.objects.get(dimension__framework_version=draft, slug="d1-q1")
    url = reverse("admin:frameworks_question_change", args=[question.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "tags"}
    data.update({"text": "Edited in the admin?", "slug": "d1-q1", "weight": 1, "position": 0})
    inline = page.context["inline_admin_formsets"][0].formset
    data.update(
        {
            f"{inline.prefix}-TOTAL_FORMS": "0",
            f"{inline.prefix}-INITIAL_FORMS": "0",
            f"{inline.prefix}-MIN_NUM_FORMS": "0",
            f"{inline.prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    response = editor_client.submit(url, data)
    assert response.status_code == 302, response.content[:2000]
    assert Question.objects.get(pk=question.pk).text == "Edited in the admin?"


def test_admin_refuses_to_change_a_published_question(editor_client):
    published = make_version(publish=True)
    question = Question.objects.get(dimension__framework_version=published, slug="d1-q1")
    url = reverse("admin:frameworks_question_change", args=[question.pk])
    page = editor_client.get(url)
    assert page.status_code == 200  # view only
    assert b'name="_save"' not in page.content
    token = editor_client.cookies["csrftoken"].value
    response = editor_client.post(url, {"text": "Sneaky edit?", "csrfmiddlewaretoken": token})
    assert response.status_code == 403
    assert Question.objects.get(pk=question.pk).text != "Sneaky edit?"


def test_admin_refuses_to_delete_a_published_dimension(editor_client):
    published = make_version(publish=True)
    dimension = Dimension.objects.filter(framework_version=published).first()
    url = reverse("admin:frameworks_dimension_delete", args=[dimension.pk])
    assert editor_client.get(url).status_code == 403
    assert Dimension.objects.filter(pk=dimension.pk).exists()
