"""The board report answers "who said so, and why?": who took part and how the scores are
worked out, the lead's reason beside each agreed answer, a roadmap that starts with the lead's
targets, and charts a board reads at a glance. Read back from the PDF with poppler."""

import re
import subprocess
import xml.etree.ElementTree as ET
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ImageFont

from assessments import scoring, services
from frameworks.models import Question
from organisations.models import Membership, Organisation, Role
from reports import rendering, roadmap
from reports.report import radar_svg, render_pdf, report_context, report_html
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    largest_builtin,
    make_version,
    release,
    submit,
)
from tests.pdf import crowded_words, page_fill, pages_of, pdf_text

pytestmark = pytest.mark.django_db


def words(pdf, tmp_path) -> str:
    return " ".join(pdf_text(pdf, tmp_path).split())


def between(text: str, start: str, end: str) -> str:
    """The text from `start` up to the next `end` after it."""
    begin = text.index(start)
    return text[begin : text.index(end, begin)]


def other_kinds(fv):
    """Three district and three county councils, so that "all" and the unitary authorities
    are not nearly the same group (which would withhold the unitary authorities' figures)."""
    count = Question.objects.filter(dimension__framework_version=fv).count()
    for kind in (Organisation.Kind.DISTRICT, Organisation.Kind.COUNTY):
        for _ in range(3):
            submit(OrganisationFactory(kind=kind), fv, [1] * count)


def questions_of(fv) -> list[Question]:
    return list(
        Question.objects.filter(dimension__framework_version=fv).order_by(
            "dimension__position", "position"
        )
    )


def agree(assessment, lead, question, level=None, *, state="level", target=None, reason=""):
    services.agreed_answer_save(
        assessment=assessment,
        question=question,
        lead=lead,
        data=services.AnswerData(state=state, level=level, target_level=target, rationale=reason),
        base_version=0,
    )


def own_answer(assessment, person, question, level):
    services.answer_save(
        assessment=assessment,
        question=question,
        respondent=person,
        data=services.AnswerData(state="level", level=level),
        base_version=0,
    )


# ---------------------------------------------------------------------------------------------
# Who took part, and how the scores are worked out


@pytest.fixture
def taken_part():
    """Two dimensions of two questions. One respondent answers everything, another only the
    first dimension; a viewer answers nothing; the lead agrees every answer, one of them "not
    applicable" and one "don't know"."""
    fv = make_version(dimensions=2, questions=2)
    org = OrganisationFactory(name="Rho District Council")
    lead = MembershipFactory(organisation=org, role=Role.LEAD).user
    first = MembershipFactory(organisation=org, role=Role.RESPONDENT, user__email="ann@rho.example")
    second = MembershipFactory(organisation=org, role=Role.RESPONDENT, user__email="bo@rho.example")
    MembershipFactory(organisation=org, role=Role.VIEWER)
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=lead
    )
    q = questions_of(fv)
    for question, level in zip(q, [2, 5, 3, 4], strict=True):
        own_answer(assessment, first.user, question, level)
    own_answer(assessment, second.user, q[0], 4)
    own_answer(assessment, second.user, q[1], 1)
    agree(assessment, lead, q[0], 3, reason="The two answers split; the register shows 3.")
    agree(assessment, lead, q[1], 4)
    agree(assessment, lead, q[2], state="na")
    agree(assessment, lead, q[3], state="dont_know")
    services.assessment_submit(assessment=assessment, user=lead)
    return assessment


def test_the_report_says_who_took_part_by_role_and_how_many_answered_each_dimension(
    taken_part, tmp_path
):
    text = words(render_pdf(assessment=taken_part), tmp_path)
    assert "Who took part and how the scores are worked out" in text
    assert "2 people gave their own answers: 2 respondents." in text
    assert "The organisation has 1 lead, 2 respondents and 1 viewer on this service." in text
    assert "The agreed answers, which the scores use, were set by 1 lead." in text
    assert "A reason is given for 1 of the 4 agreed answers" in text
    # Dimension, questions, people who answered, weight in overall (1 and 2 of 3), then the
    # agreed answers with a level, not applicable, don't know and not answered.
    assert re.search(r"Dimension 1 2 2 respondents 33% 2 0 0 0", text)
    assert re.search(r"Dimension 2 2 1 respondent 67% 0 1 1 0", text)


def test_who_took_part_gives_counts_and_roles_never_whose_answer_was_what(taken_part, tmp_path):
    text = words(render_pdf(assessment=taken_part), tmp_path)
    assert "ann@rho.example" not in text and "bo@rho.example" not in text
    # The viewer's and consultant's copy has no spread or per-question counts; the lead's does.
    assert "Spread" not in text and "People answering" not in text
    assert "Spread" in words(render_pdf(assessment=taken_part, with_spread=True), tmp_path)


def test_a_change_of_role_is_never_served_from_an_older_copy(taken_part):
    """Who took part is counted by role, so a drawn report is not used again after a change."""
    lead = taken_part.created_by

    def key():
        return rendering.render_key(
            user=lead, assessment=taken_part, with_spread=False, branding=None
        )

    before = key()
    Membership.objects.filter(organisation=taken_part.organisation, role=Role.VIEWER).update(
        role=Role.RESPONDENT
    )
    assert key() != before


def test_the_report_says_how_the_scores_are_worked_out(taken_part, tmp_path):
    text = words(render_pdf(assessment=taken_part), tmp_path)
    assert (
        "Each dimension's score is the weighted mean of its agreed levels: each question counts "
        "in proportion to its weight, shared among the questions with a level."
    ) in text
    assert "each counting by its weight in the table above" in text
    assert "questions carry different weights: each question's share of its dimension" in text
    assert (
        "Not applicable, don't know and unanswered questions are left out, never counted as zero"
    ) in text
    # The appendix gives each question's share of its dimension: weights 1 and 2 of 3.
    assert re.search(r"Question 1 of dimension 1\? 3\. Defined — 33%", text)
    assert re.search(r"Question 2 of dimension 1\? 4\. Embedded — 67%", text)


def test_the_report_names_the_lowest_rule_when_the_framework_uses_it(tmp_path):
    fv = make_version(dimensions=1, questions=2, scoring="lowest")
    assessment, _ = submit(OrganisationFactory(), fv, [2, 4])
    text = words(render_pdf(assessment=assessment), tmp_path)
    assert "Each dimension's score is its lowest agreed level" in text
    # Nobody answered for themselves, and the lead gave no reasons: the page says so.
    assert "No one's own answers are recorded for this round" in text
    assert "No reasons are recorded for the agreed answers." in text


def test_the_leads_reason_is_beside_its_agreed_answer(taken_part, tmp_path):
    text = words(render_pdf(assessment=taken_part), tmp_path)
    answer = text.index("Agreed answer: 3. Defined: D1 Q1 at level 3.")
    reason = text.index("The lead's reason: The two answers split; the register shows 3.")
    following = text.index("Question 2 of dimension 1?", answer)
    assert answer < reason < following


# ---------------------------------------------------------------------------------------------
# The roadmap


def test_the_roadmap_starts_with_the_leads_targets_then_the_steps_that_lift_the_score_most(
    tmp_path,
):
    # Dimension weights 1 and 2; question weights 1 and 2 in each; layers d1-q1 data, d1-q2
    # systems, d2-q1 systems, d2-q2 technology.
    fv = make_version(dimensions=2, questions=2)
    org = OrganisationFactory()
    lead = MembershipFactory(organisation=org, role=Role.LEAD).user
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=lead
    )
    d1q1, d1q2, d2q1, d2q2 = questions_of(fv)
    agree(assessment, lead, d1q1, 2, target=4)  # gap 2 x 1/3 x 1/3 = 2/9
    agree(assessment, lead, d1q2, 3)  # next level: 1/3 x 2/3 x 1 = 0.22 on the overall
    agree(assessment, lead, d2q1, 1, target=2)  # gap 1 x 2/3 x 1/3 = 2/9: a tie, systems
    agree(assessment, lead, d2q2, 4)  # next level: 2/3 x 2/3 x 1 = 0.44 on the overall
    services.assessment_submit(assessment=assessment, user=lead)

    text = words(render_pdf(assessment=assessment), tmp_path)
    section = between(text, "Improvement roadmap First the targets", "Who took part and how")
    order = [
        section.index(f"Question {q} of dimension {d}?")
        for d, q in ((1, 1), (2, 1), (2, 2), (1, 2))
    ]
    assert order == sorted(order)
    assert section.count("Lead's target") == 2
    assert "Question 2 of dimension 2? Lifts overall by 0.44 4." in section
    assert "Question 2 of dimension 1? Lifts overall by 0.22 3." in section


levels_st = st.one_of(st.none(), st.integers(min_value=1, max_value=5))


@settings(max_examples=150, deadline=None)
@given(
    dimension_weights=st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0]), min_size=1, max_size=3),
    answers=st.lists(
        st.tuples(st.integers(0, 2), st.sampled_from([0.5, 1.0, 2.0]), levels_st),
        min_size=1,
        max_size=8,
    ),
    rule=st.sampled_from(scoring.RULES),
)
def test_each_next_level_lift_is_what_scoring_again_gives(dimension_weights, answers, rule):
    """The oracle scores the assessment twice with compute_scores, once with the question a
    level up, and takes the difference of the overall scores."""
    scale = [scoring.Level(v, f"L{v}") for v in range(1, 6)]
    dimensions = [scoring.DimensionIn(f"d{i}", f"D{i}", w) for i, w in enumerate(dimension_weights)]
    questions = [
        scoring.QuestionIn(f"q{n}", f"d{d % len(dimensions)}", weight, level)
        for n, (d, weight, level) in enumerate(answers)
    ]

    def overall(qs):
        found = scoring.compute_scores(scale=scale, dimensions=dimensions, questions=qs, rule=rule)
        return found.overall.value if found.overall else None

    lifts = roadmap.next_level_lifts(
        dimension_weights={d.key: d.weight for d in dimensions},
        questions=[roadmap.Answered(q.key, q.dimension, q.weight, q.level) for q in questions],
        scale_values=[1, 2, 3, 4, 5],
        rule=rule,
    )
    before = overall(questions)
    for i, q in enumerate(questions):
        if q.level is None or q.level == 5:
            assert q.key not in lifts
            continue
        raised = [*questions[:i], scoring.QuestionIn(q.key, q.dimension, q.weight, q.level + 1)]
        gain = overall(raised + questions[i + 1 :]) - before
        if round(gain, 9) > 0:
            assert lifts[q.key][0] == q.level + 1
            assert lifts[q.key][1] == pytest.approx(gain)
        else:
            assert q.key not in lifts


# ---------------------------------------------------------------------------------------------
# Charts


def test_each_dimension_is_drawn_against_the_released_peer_middle_half_and_median(tmp_path):
    fv = make_version(dimensions=2, questions=1)
    me = OrganisationFactory(name="Sigma Borough Council", kind=Organisation.Kind.UNITARY)
    assessment, _ = submit(me, fv, [2, 4])
    other_kinds(fv)

    def peers(numbers):
        for n in numbers:
            submit(
                OrganisationFactory(kind=Organisation.Kind.UNITARY),
                fv,
                [1 + n % 5, 1 + (n + 2) % 5],
            )
        release(fv)
        text = words(render_pdf(assessment=assessment), tmp_path)
        return between(text, "Median of organisations of the same kind", "Improvement roadmap")

    # Five unitary authorities: below the median rule, so no peer figure is drawn.
    assert peers(range(4)).startswith(
        "Median of organisations of the same kind Score (median) Dimension 1 Not enough peers to "
        "compare 2.0 Dimension 2 Not enough peers to compare 4.0 1 2 3 4 5 Initial Emerging "
        "Defined Embedded Leading "
    )
    # Twelve: on dimension 1, 2 and 1,2,3,4,5,1,2,3,4,5,1: median 2.5; on dimension 2, 4 and
    # 3,4,5,1,2,3,4,5,1,2,3: median 3.0.
    chart = peers(range(4, 11))
    assert "Score (median) Dimension 1 2.0 (2.5) Dimension 2 4.0 (3.0)" in chart
    assert "Not enough peers" not in chart


def test_the_trend_over_rounds_is_drawn_with_each_rounds_score(tmp_path):
    fv = make_version(dimensions=1, questions=2)
    org = OrganisationFactory()
    first, lead = submit(org, fv, [1, 2], round_label="2024/25")
    text = words(render_pdf(assessment=first), tmp_path)
    assert "Overall score over the rounds" not in text  # one round: nothing to draw

    middle, _ = submit(org, fv, [2, 3], round_label="2025/26", lead=lead)
    latest, _ = submit(org, fv, [4, 4], round_label="2026/27", lead=lead)
    text = words(render_pdf(assessment=latest), tmp_path)
    assert "Overall score over the rounds" in text
    # Weights 1 and 2: (1 + 4)/3 = 1.7, (2 + 6)/3 = 2.7, 4.0; the scale labelled on the side.
    chart = between(text, "Overall score over the rounds", "Profile")
    assert "5 Leading" in chart and "1 Initial" in chart
    for value in ("1.7", "2.7", "4.0"):
        assert value in chart
    assert "2024/25 2025/26 2026/27" in chart
    # An older round's report stops at that round.
    text = words(render_pdf(assessment=middle), tmp_path)
    chart = between(text, "Overall score over the rounds", "Profile")
    assert "2024/25 2025/26" in chart and "2026/27" not in chart


def test_the_lens_by_layer_grid_is_a_shaded_table_with_its_numbers(tmp_path):
    fv = make_version(dimensions=2, questions=3)  # tagged data, systems, technology
    assessment, _ = submit(OrganisationFactory(), fv, [1, 2, 3, 4, 5, 5])
    text = words(render_pdf(assessment=assessment), tmp_path)
    assert "Framework test-framework by layer" in text
    assert "darker shading means a higher score" in text
    # Dimension 1: q1 data 1, q2 systems 2, q3 technology 3; dimension 2: q1 systems 4,
    # q2 technology 5, q3 data 5.
    assert (
        "Dimension Data Systems Technology Dimension 1 1.0 2.0 3.0 Dimension 2 5.0 4.0 5.0" in text
    )


def test_the_radar_labels_its_scale():
    svg = radar_svg(
        ["A", "B", "C"], [1.0, 3.0, 5.0], [2.0, None, 2.0], low=1, high=5, labels={3: "Defined"}
    )
    assert ">3 Defined</text>" in svg and ">5</text>" in svg


def with_peers_and_a_past_round(framework: str):
    """A submitted assessment whose report draws every chart (radar, peers, trend), on a
    4-dimension framework made for tests or on the largest built-in one."""
    fv = make_version(dimensions=4, questions=3) if framework == "made for tests" else None
    fv = fv or largest_builtin()
    org = OrganisationFactory(kind=Organisation.Kind.UNITARY)
    count = Question.objects.filter(dimension__framework_version=fv).count()
    _, lead = submit(org, fv, ([1, 2, 2, 3, 1, 2] * count)[:count], round_label="2025/26")
    assessment, _ = submit(
        org, fv, ([2, 3, 3, 4, 2, 3] * count)[:count], round_label="2026/27", lead=lead
    )
    for n in range(11):
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [1 + n % 5] * count)
    other_kinds(fv)
    release(fv)
    return assessment


# The largest built-in framework: 8 dimensions with long names, whose peer chart is too tall
# to share the profile's page.
@pytest.mark.parametrize("framework", ["made for tests", "largest built-in"])
def test_no_page_but_the_last_is_left_mostly_empty(framework, tmp_path):
    pdf = render_pdf(assessment=with_peers_and_a_past_round(framework))
    fills = page_fill(pdf, tmp_path)
    assert len(fills) >= 6
    assert [(page, round(f, 2)) for page, f in enumerate(fills[:-1], 1) if f < 0.5] == []


SVG = "{http://www.w3.org/2000/svg}"


@cache
def liberation_sans(bold: bool, size: float):
    """The charts' font, as fontconfig finds it for WeasyPrint, to measure their text."""
    path = subprocess.run(
        ["fc-match", "-f", "%{file}", f"Liberation Sans:{'bold' if bold else 'regular'}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return ImageFont.truetype(path, size)


def text_boxes(chart):
    """Each line of text in an SVG chart with the box it takes: (text, left, top, right,
    bottom) in the chart's own units, from its x, y, dy, anchor, size and weight."""
    for text in chart.iter(f"{SVG}text"):
        size = float(text.get("font-size", 16))
        font = liberation_sans(text.get("font-weight") == "bold", size)
        lines = [(text.get("x"), 0.0, text.text)] if text.text else []
        lines += [(span.get("x"), float(span.get("dy", 0)), span.text) for span in text]
        y = float(text.get("y"))
        for x, dy, line in lines:
            y += dy
            width = font.getlength(line)
            anchor = {"start": 0, "middle": 0.5, "end": 1}[text.get("text-anchor", "start")]
            left = float(x or text.get("x")) - anchor * width
            yield line, left, y - 0.8 * size, left + width, y + 0.2 * size


@pytest.mark.parametrize("framework", ["made for tests", "largest built-in"])
def test_no_chart_text_runs_off_the_edge_of_its_chart(framework):
    html = report_html(assessment=with_peers_and_a_past_round(framework))
    charts = list(ET.fromstring(html).iter(f"{SVG}svg"))
    assert len(charts) == 3  # trend, radar, peers
    off = []
    for chart in charts:
        _, _, width, height = (float(n) for n in chart.get("viewBox").split())
        for line, left, top, right, bottom in text_boxes(chart):
            if left < 0 or top < 0 or right > width or bottom > height:
                off.append((line, round(left), round(top), round(right), round(bottom)))
    # Before, the peer chart's "Initial", centred under the scale's first mark, began 2 units
    # left of the chart, and its first letter was cut off.
    assert off == []


@pytest.mark.parametrize("framework", ["made for tests", "largest built-in"])
def test_no_words_in_the_report_run_into_each_other_or_off_the_page(framework, tmp_path):
    assessment = with_peers_and_a_past_round(framework)
    crowded = {
        with_spread: crowded_words(
            render_pdf(assessment=assessment, with_spread=with_spread), tmp_path
        )
        for with_spread in (False, True)
    }
    # Before, the "who took part" table's "Not applicable" heading was wider than its column:
    # [(6, 'applicable', 'know', 0.46)], read as "applicableknow".
    assert crowded == {False: [], True: []}


def test_each_dimension_starts_on_the_page_of_its_first_question(tmp_path):
    assessment = with_peers_and_a_past_round("largest built-in")
    pages = pages_of(render_pdf(assessment=assessment), tmp_path)
    stranded = []
    for number, section in enumerate(report_context(assessment=assessment)["sections"], 1):
        heading = f"{number}. {section['dimension'].name}"
        question = " ".join(section["items"][0]["question"].text.split()[:6])
        # The contents on the first page name each dimension too.
        (at,) = [page for page, text in enumerate(pages[1:], 2) if heading in text]
        if question not in pages[at - 1]:
            stranded.append((heading, at))
    # Before, this report left "1. Person-centred design" and "6. Measures, standards and
    # outcomes", with their descriptions and scores, at the foot of pages 6 and 11.
    assert stranded == []
