"""Actions carry into the next round: its results say, for each action done, how its questions
moved from the round it came from to this one, and flag those done that moved nothing; across
a new version of the framework the questions are followed through the crosswalk."""

import dataclasses
import re

from django.urls import reverse

from frameworks.fileformat import DimensionSpec, LinkSpec, QuestionSpec
from frameworks.services import framework_version_import
from improvement import selectors, services
from improvement.models import Action
from tests.factories import LEVELS, make_spec, submit


def _done(body, title, questions, **kwargs):
    action = services.action_create(
        assessment=body.assessment, by=body.lead, title=title, questions=questions, **kwargs
    )
    services.action_set_status(
        action=action, by=body.lead, status=Action.Status.DONE, base_version=0
    )
    return action


def test_the_next_round_shows_how_done_actions_moved_their_questions(body):
    q = body.questions
    moved = _done(body, "Name data owners", q[:2])
    still = _done(body, "Buy a dashboard tool", q[2:3])
    open_one = services.action_create(
        assessment=body.assessment, by=body.lead, title="Still going", questions=q[3:4]
    )
    # Next round: the first question rose from 2 to 4, the others stayed at 2.
    later, _ = submit(
        body.organisation, body.fv, [4] + [2] * (len(q) - 1), "2026/27", lead=body.lead
    )

    carried = {c.action.pk: c for c in selectors.results_actions(assessment=later)[1]}
    assert set(carried) == {moved.pk, still.pk}  # open actions are not "done since"
    assert [(m.before, m.now) for m in carried[moved.pk].questions] == [(2, 4), (2, 2)]
    assert not carried[moved.pk].moved_nothing
    assert carried[still.pk].moved_nothing
    assert open_one.pk not in carried

    page = (
        body.client(body.lead)
        .get(reverse("assessments:results", args=[body.organisation.pk, later.pk]))
        .content.decode()
    )
    card = page[page.index(f'data-carried="{still.pk}"') :]
    assert "Done but moved nothing" in card[: card.index("</div>")]
    movements = re.findall(r"data-movement>(.*?)</dd>", page)
    assert movements[:2] == ["2. Emerging → 4. Embedded", "2. Emerging → 2. Emerging"]


def test_the_round_an_action_came_from_shows_no_movement(body):
    _done(body, "Name data owners", body.questions[:1])
    assert selectors.results_actions(assessment=body.assessment)[1] == []


def _second_version():
    """Version 2.0.0: d1-q1 reworded under a new slug; d1-q2 no longer asked; one new question."""

    def question(slug, text, *derived_from):
        return QuestionSpec(
            slug=slug,
            text=text,
            levels={lv.value: f"{slug} at level {lv.value}." for lv in LEVELS},
            recommendations={lv.value: f"Move {slug} up." for lv in LEVELS[:-1]},
            derived_from=tuple(LinkSpec("1.0.0", a, relation) for a, relation in derived_from),
        )

    return framework_version_import(
        spec=dataclasses.replace(
            make_spec(),
            version="2.0.0",
            facets=(),
            dimensions=(
                DimensionSpec(
                    slug="dimension-1",
                    name="Dimension 1",
                    questions=(
                        question("data-owners", "Who owns each data set?", ("d1-q1", "reworded")),
                        question("brand-new", "A question new in 2.0.0?"),
                    ),
                ),
            ),
        ),
        publish=True,
    )


def test_across_versions_questions_are_followed_through_the_crosswalk(body):
    action = _done(body, "Name data owners", body.questions[:2])
    v2 = _second_version()
    later, _ = submit(body.organisation, v2, [4, 1], "2026/27", lead=body.lead)
    [carried] = selectors.results_actions(assessment=later)[1]
    assert carried.action == action
    assert [(m.code, m.before, m.now) for m in carried.questions] == [
        ("d1-q1", 2, 4),
        ("d1-q2", 2, None),
    ]
    assert carried.questions[1].now_label == "No longer asked"
    assert not carried.moved_nothing
