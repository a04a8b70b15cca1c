"""The blank workshop questionnaire PDF, read back with pdftotext."""

import re

import pytest
from django.urls import reverse

from frameworks.builtin import library_files, library_spec
from frameworks.models import Dimension, Question, ScaleLevel
from frameworks.questionnaire import render_questionnaire_pdf
from frameworks.services import framework_version_import
from maturity.accounts.models import ConsultantBranding
from tests.conftest import CsrfClient
from tests.factories import UserFactory, make_version
from tests.pdf import crowded_words, pages_of

pytestmark = pytest.mark.django_db


def questionnaire_url(fv, version=None):
    return reverse(
        "frameworks:questionnaire_pdf",
        kwargs={"slug": fv.framework.slug, "version": version or fv.version},
    )


@pytest.mark.parametrize("path", library_files(), ids=lambda path: path.stem)
def test_builtin_questionnaire_has_every_question_and_level(path, tmp_path):
    if path.stem != "1.0.0":  # a later version's crosswalk names the first
        framework_version_import(spec=library_spec(path.parent / "1.0.0.yaml"), publish=True)
    fv = framework_version_import(spec=library_spec(path), publish=True)
    pdf = render_questionnaire_pdf(version=fv)
    pages = pages_of(pdf, tmp_path)
    text = " ".join(pages)
    count = len(pages)

    assert count > 1
    assert crowded_words(pdf, tmp_path) == []  # no word runs into the next or off the page
    assert f"Page 1 of {count}" in pages[0] and f"Page {count} of {count}" in pages[-1]
    assert "Workshop questionnaire" in pages[0] and fv.name in pages[0]
    assert f"Version {fv.version}" in pages[0] and "Published" in pages[0]
    for label in ("Organisation", "Workshop date", "People present"):
        assert label in pages[0]
    assert "How to use this questionnaire" in pages[1]
    assert "DRAFT" not in text and "Prepared by" not in text

    levels = list(ScaleLevel.objects.filter(framework_version=fv))
    for level in levels:
        assert f"{level.value}. {level.label} {level.description}" in pages[1]
    questions = Question.objects.filter(dimension__framework_version=fv).prefetch_related("levels")
    by_dimension: dict[int, list[Question]] = {}
    for question in questions:
        by_dimension.setdefault(question.dimension_id, []).append(question)
    dimensions = list(Dimension.objects.filter(framework_version=fv))
    for d, dimension in enumerate(dimensions, start=1):
        # The contents gives the page where the dimension's heading is.
        listed = re.search(rf"{d}\. {re.escape(dimension.name)} \(\d+ questions?\)[ .]*(\d+)", text)
        assert listed, dimension.name
        assert f"{d}. {dimension.name} {dimension.description}" in pages[int(listed[1]) - 1]
        for q, question in enumerate(by_dimension[dimension.pk], start=1):
            assert f"{d}.{q} {question.text}" in text
            for ql in question.levels.all():
                label = levels[ql.value - levels[0].value].label
                assert f"{ql.value}. {label} {ql.descriptor}" in text
    question_count = len(questions)
    assert text.count("Not applicable The question does not apply") == question_count
    assert text.count("Don't know No one present can say.") == question_count
    # Once per question, plus once in "How to use this questionnaire".
    assert text.count("Target level:") == question_count + 1
    assert text.count("Evidence Notes") == question_count


def test_draft_questionnaire_says_draft_and_is_for_editors_only(
    client, user_client, editor_client, tmp_path
):
    draft = make_version(publish=False, dimensions=1, questions=1)
    assert client.get(questionnaire_url(draft)).status_code == 404
    assert user_client.get(questionnaire_url(draft)).status_code == 404

    response = editor_client.get(questionnaire_url(draft))
    assert response.status_code == 200
    pages = pages_of(response.content, tmp_path)
    assert "Version 1.0.0 (DRAFT) workshop questionnaire" in pages[0]
    assert "DRAFT: this version is not published and may change" in pages[0]
    assert all("DRAFT: not published, wording may change" in page for page in pages)
    assert "1.1 Question 1 of dimension 1?" in pages[-1]


def test_questionnaire_download_is_an_attached_pdf_without_branding(user_client, tmp_path):
    fv = make_version(slug="workshop-test", version="2.1.0", dimensions=2, questions=2)
    response = user_client.get(questionnaire_url(fv))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="workshop-test-2.1.0-questionnaire.pdf"'
    )
    text = " ".join(pages_of(response.content, tmp_path))
    assert "Framework workshop-test" in text and "Version 2.1.0 workshop questionnaire" in text
    assert "Prepared by" not in text
    for d in (1, 2):
        for q in (1, 2):
            assert f"{d}.{q} Question {q} of dimension {d}? Help for question {q}." in text
            for level in range(1, 6):
                assert f"D{d} Q{q} at level {level}." in text


def test_questionnaire_has_the_consultants_branding_on_the_cover(tmp_path):
    fv = make_version(dimensions=1, questions=1)
    consultant = UserFactory()
    ConsultantBranding.objects.create(consultant=consultant, display_name="Acme Advisory")
    client = CsrfClient()
    client.force_login(consultant)
    pages = pages_of(client.get(questionnaire_url(fv)).content, tmp_path)
    assert "Prepared by Acme Advisory" in pages[0]
    assert all("Acme Advisory" not in page for page in pages[1:])


def test_questionnaire_is_404_for_unknown_versions(client):
    fv = make_version()
    assert client.get(questionnaire_url(fv, version="9.9.9")).status_code == 404
    assert client.get("/frameworks/nope/1.0.0/questionnaire.pdf").status_code == 404


def test_version_page_links_to_the_questionnaire(client):
    fv = make_version()
    page = client.get(fv.get_absolute_url()).content.decode()
    assert f'href="{questionnaire_url(fv)}"' in page
    assert "Download a printable questionnaire (PDF)" in page


# Session and user, the user's and group permissions, version, branding; the content: levels,
# questions, question levels, dimensions. (The session, saved at most once a minute, is saved
# by the warm-up request, not by these.)
QUESTIONNAIRE_QUERIES = 10
# The shared cache is a database table: one read per download; the first download also stores
# the PDF (count, savepoint, look-up, insert, release) and reads it back (`get_or_set`).
CACHE_READ, CACHE_STORE = 1, 6


def test_questionnaire_query_count_is_the_same_for_small_and_large(
    user_client, django_assert_num_queries
):
    small = make_version(slug="small", dimensions=1, questions=1)
    large = make_version(slug="large", dimensions=3, questions=3)
    user_client.get("/")
    for url in (questionnaire_url(small), questionnaire_url(large)):
        with django_assert_num_queries(QUESTIONNAIRE_QUERIES + CACHE_READ + CACHE_STORE):
            first = user_client.get(url).content
        # A published version never changes: the second download comes from the cache.
        with django_assert_num_queries(QUESTIONNAIRE_QUERIES - 4 + CACHE_READ):
            assert user_client.get(url).content == first
