"""The question page writes its answer form out by hand (templates/assessments/includes/
answer_fields.html) instead of through `{% crispy form %}`, which cost most of the page's time.
It must give the same HTML crispy-forms-gds gives for the same form: labels, hints, each level's
descriptor, the divider, what is checked and selected, error messages and the aria-describedby
that ties them to their fields. Each case renders the page, then crispy on the page's own form.
"""

import difflib
import re

import pytest
from django.template import Context, Template
from django.test.html import parse_html

from assessments import services
from organisations.models import Role
from tests.assessments.test_journey import client_for, questions, start, url
from tests.factories import MembershipFactory, OrganisationFactory, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    org = OrganisationFactory()
    people = {
        role: MembershipFactory(organisation=org, role=role).user
        for role in (Role.LEAD, Role.RESPONDENT)
    }
    return org, people, make_version(dimensions=1, questions=3)


CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")
# The form's fields on the page: after the answer form's CSRF token, before its status line.
FIELDS = re.compile(
    r'data-autosave-url=.*?name="csrfmiddlewaretoken" value="[^"]*">(.*?)'
    r'<p class="govuk-body-s app-autosave-status"',
    re.S,
)


def _describedby(html: str) -> str:
    """crispy-forms-gds starts a fieldset's aria-describedby with a space when it has errors
    but no hint; the list of ids is the same."""
    return re.sub(
        r'aria-describedby="([^"]*)"', lambda m: f'aria-describedby="{m[1].strip()}"', html
    )


def _lines(html) -> list[str]:
    return str(html).replace("><", ">\n<").splitlines()


def assert_same_as_crispy(response):
    assert response.status_code == 200
    page = FIELDS.search(response.content.decode()).group(1)
    crispy = CRISPY.render(Context({"form": response.context["form"]}))
    page, crispy = parse_html(_describedby(page)), parse_html(_describedby(crispy))
    assert page == crispy, "\n".join(
        difflib.unified_diff(_lines(crispy), _lines(page), "crispy", "page")
    )


def test_answer_fields_match_crispy_for_a_new_answer(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    page = client_for(people[Role.RESPONDENT]).get(
        url("question", assessment, qpk=questions(fv)[0].pk)
    )
    assert 'aria-describedby="id_answer_1_hint"' in page.content.decode()
    assert_same_as_crispy(page)


def test_answer_fields_match_crispy_for_a_saved_answer_with_markup_in_it(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    question = questions(fv)[1]
    services.answer_save(
        assessment=assessment,
        question=question,
        respondent=people[Role.RESPONDENT],
        data=services.AnswerData(
            state="level",
            level=2,
            target_level=4,
            evidence='<script>alert("x")</script> & "quotes"\nsecond line',
            links="https://example.org/a?b=1&c=2",
            confidence="medium",
        ),
        base_version=0,
    )
    page = client_for(people[Role.RESPONDENT]).get(url("question", assessment, qpk=question.pk))
    text = page.content.decode()
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text and "<script>alert" not in text
    )
    assert re.search(r'value="2"\s+checked="checked"', text)
    assert_same_as_crispy(page)


def test_answer_fields_match_crispy_with_errors(team):
    org, people, fv = team
    assessment = start(org, people[Role.LEAD], fv)
    question = questions(fv)[0]
    page = client_for(people[Role.RESPONDENT]).submit(
        url("question", assessment, qpk=question.pk),
        {
            "answer": "9",
            "target_level": "7",
            "evidence": "x" * 10001,
            "links": "not a link\nhttps://example.org",
            "confidence": "certain",
            "version": "0",
            "then": "next",
        },
    )
    text = page.content.decode()
    assert "Select one of the levels, or not applicable, or don" in text
    assert "Link 1 is not a web address" in text
    assert 'id="id_evidence_1_error"' in text
    assert_same_as_crispy(page)


def test_answer_fields_match_crispy_when_agreeing_with_a_rationale(team):
    org, people, fv = team
    lead = people[Role.LEAD]
    assessment = start(org, lead, fv)
    question = questions(fv)[2]
    services.agreed_answer_save(
        assessment=assessment,
        question=question,
        lead=lead,
        data=services.AnswerData(state="na", rationale="Not ours: the county runs it."),
        base_version=0,
    )
    page = client_for(lead).get(url("agree_question", assessment, qpk=question.pk))
    assert "Not ours: the county runs it." in page.content.decode()
    assert_same_as_crispy(page)


def test_answer_fields_match_crispy_when_agreeing_with_errors(team):
    org, people, fv = team
    lead = people[Role.LEAD]
    assessment = start(org, lead, fv)
    page = client_for(lead).submit(
        url("agree_question", assessment, qpk=questions(fv)[0].pk),
        {"answer": "3", "rationale": "r" * 5001, "version": "x", "then": "next"},
    )
    text = page.content.decode()
    assert 'id="id_rationale_1_error"' in text
    assert "The page was sent incomplete" in text
    assert_same_as_crispy(page)
