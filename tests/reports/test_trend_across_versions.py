"""The report's movement since the last round, across framework versions, read back from the
PDF with pdftotext."""

import pytest

from assessments import services
from frameworks.models import Question
from reports.report import render_pdf
from tests.assessments.test_trend_across_versions import EARLIER, LATER, second_version
from tests.factories import OrganisationFactory, make_version, submit
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

SAID = (
    "The framework changed from version 1.0.0 to 2.0.0 between these rounds. 5 of 8 questions "
    "are comparable. Of the +0.8 movement, +0.3 is like-for-like change on those questions and "
    "+0.5 comes from questions added, removed, split or merged."
)


@pytest.fixture
def versions():
    first = make_version(slug="trend", dimensions=2, questions=3)
    return first, second_version(first)


def words(pdf, tmp_path) -> str:
    return " ".join(pdf_text(pdf, tmp_path).split())


def test_the_report_says_the_framework_changed_and_how_much_is_like_for_like(versions, tmp_path):
    first, second = versions
    org = OrganisationFactory()
    _, lead = submit(org, first, EARLIER, round_label="2024/25")
    later, _ = submit(org, second, LATER, round_label="2025/26", lead=lead)
    text = words(render_pdf(assessment=later), tmp_path)
    # 6.25/3 = 2.08 shown as 2.1; the movement 0.78, shown as up 0.8.
    assert "Movement since 2024/25 (overall 2.1, on version 1.0.0): up 0.8." in text
    assert SAID in text
    assert "Change since 2024/25" in text and "Of which like-for-like" in text


def test_a_draft_report_on_the_new_version_works_the_comparison_out(versions, tmp_path):
    first, second = versions
    org = OrganisationFactory()
    _, lead = submit(org, first, EARLIER, round_label="2024/25")
    draft = services.assessment_start(
        organisation=org, framework_version=second, round_label="2025/26", user=lead
    )
    questions = Question.objects.filter(dimension__framework_version=second).order_by(
        "dimension__position", "position"
    )
    for question, level in zip(questions, LATER, strict=True):
        services.agreed_answer_save(
            assessment=draft,
            question=question,
            lead=lead,
            data=services.AnswerData(state="level", level=level),
            base_version=0,
        )
    text = words(render_pdf(assessment=draft), tmp_path)
    assert "DRAFT" in text and SAID in text
