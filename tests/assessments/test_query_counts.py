"""Query counts of the pages answered most often under load (loadtest/locustfile.py): the
question page, autosave and results (the task list's is in test_journey.py).

Each is the same for a small framework and a large one, and no query is repeated.
"""

import pytest
from django.urls import reverse

from assessments import services
from frameworks.models import Question
from organisations.models import Role
from tests.conftest import CsrfClient
from tests.factories import MembershipFactory, OrganisationFactory, make_version, submit

pytestmark = pytest.mark.django_db

# Session, user, membership, assessment (with its version), this person's answer, the agreed
# answer carried over. The version's scale, questions and their levels are read once per
# process (frameworks/structure.py), so the page's first showing reads them: 3 more.
QUESTION_PAGE = 6
STRUCTURE_FIRST_READ = 3
# Session, user, membership, assessment (with its version); then in one transaction (begin,
# lock the assessment, lock the answer, update it, audit it, clear "finished" as they are
# answering again, commit).
AUTOSAVE = 11


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
    url = reverse("assessments:question", kwargs=kwargs)
    with django_assert_num_queries(QUESTION_PAGE + STRUCTURE_FIRST_READ):
        client.get(url)
    with django_assert_num_queries(QUESTION_PAGE):
        page = client.get(url)
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


# Session, user, membership, assessment (with who submitted it), its scores, the stored
# comparison with the previous round (with its rows by dimension, in one query), facets, their
# values; then the improvement plan's panel (3): the plan's actions (this round's and those done
# since earlier rounds, in one query), the dimensions' bands and the lead's targets (its
# roadmap). The version's scale and dimensions are read once per process.
RESULTS = 11


@pytest.mark.parametrize("size", [1, 6])
def test_results_query_count_is_the_same_for_small_and_large(size, django_assert_num_queries):
    org = OrganisationFactory()
    fv = make_version(slug=f"size-{size}", dimensions=size, questions=size)
    assessment, lead = submit(org, fv, [3] * size * size)
    client = CsrfClient()
    client.force_login(lead)
    client.get("/")
    url = reverse("assessments:results", kwargs={"pk": org.pk, "apk": assessment.pk})
    client.get(url)  # reads the version's structure, once per process
    with django_assert_num_queries(RESULTS):
        page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "On a scale of 1 to 5." in text and f"by {lead}" in text
