"""Query counts of the pages answered most often under load: the question page and autosave.

Each is the same for a small framework and a large one, and no query is repeated.
"""

import pytest
from django.urls import reverse

from assessments import services
from frameworks.models import Question
from organisations.models import Role
from tests.conftest import CsrfClient
from tests.factories import MembershipFactory, OrganisationFactory, make_version

pytestmark = pytest.mark.django_db

# Session, user, membership, assessment, scale levels, the questions and their levels (the
# page's own question among them), this person's answer, the agreed answer carried over.
QUESTION_PAGE = 9
# Session, user, membership, assessment, question, scale levels; then in one transaction
# (begin, lock the assessment, lock the answer, update it, audit it, commit).
AUTOSAVE = 12


def _setup(size):
    org = OrganisationFactory()
    lead = MembershipFactory(organisation=org, role=Role.LEAD).user
    fv = make_version(slug=f"size-{size}", dimensions=size, questions=size)
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=lead
    )
    client = CsrfClient()
    client.force_login(lead)
    client.get("/")  # the first page after signing in saves the session
    question = Question.objects.filter(dimension__framework_version=fv).last()
    kwargs = {"pk": org.pk, "apk": assessment.pk, "qpk": question.pk}
    return client, kwargs


@pytest.mark.parametrize("size", [1, 6])
def test_question_page_query_count_is_the_same_for_small_and_large(size, django_assert_num_queries):
    client, kwargs = _setup(size)
    with django_assert_num_queries(QUESTION_PAGE):
        page = client.get(reverse("assessments:question", kwargs=kwargs))
    assert page.status_code == 200 and 'name="answer"' in page.content.decode()


@pytest.mark.parametrize("size", [1, 6])
def test_autosave_query_count_is_the_same_for_small_and_large(size, django_assert_num_queries):
    client, kwargs = _setup(size)
    url = reverse("assessments:autosave", kwargs=kwargs)
    token = client.cookies["csrftoken"].value
    client.post(url, {"answer": "2", "version": "0"}, HTTP_X_CSRFTOKEN=token)  # creates it
    with django_assert_num_queries(AUTOSAVE):
        response = client.post(
            url, {"answer": "3", "evidence": "Minutes", "version": "1"}, HTTP_X_CSRFTOKEN=token
        )
    assert response.json()["status"] == "saved" and response.json()["version"] == 2
