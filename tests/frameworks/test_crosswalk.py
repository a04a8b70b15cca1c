"""The crosswalk of a draft made from another version: proposals, confirming and correcting
them, refusals once published, and publishing refused while questions are unreviewed."""

import itertools
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from frameworks.crosswalk import SIMILAR_ENOUGH, Item, Proposal, propose, similarity
from frameworks.fileformat import parse_framework
from frameworks.models import FrameworkVersion, Question, QuestionLevel, QuestionLink
from frameworks.selectors import crosswalk_of
from frameworks.services import (
    CrosswalkChanged,
    CrosswalkRefused,
    FrameworkVersionFrozen,
    FrameworkVersionIncomplete,
    crosswalk_proposals_confirm,
    framework_version_create_draft,
    framework_version_problems,
    framework_version_publish,
    question_links_set,
)
from maturity.audit.models import AuditEvent
from tests.factories import make_version

# The pure proposals: worked by hand.

EARLIER = [
    Item(1, "ownership", "Is there clear accountability for the organisation's data?"),
    Item(2, "catalogue", "Does the organisation know what data it holds and where?"),
    Item(3, "quality", "How is the quality of data measured?"),
    Item(4, "printers", "Are printers managed centrally?"),
    Item(5, "sharing", "Is data shared with partners?"),
]


def test_proposals_by_slug_by_similar_text_and_new():
    later = [
        Item(11, "ownership", "Is there clear accountability for the organisation's data?"),
        Item(12, "catalogue", "Does the organisation know what data it holds, and where it is?"),
        # Renamed, and two words added: 2 x 8 shared words / (8 + 10) = 0.89 alike.
        Item(13, "data-quality", "How is the quality of data measured and improved?"),
        Item(14, "cloud", "Which services run in the cloud?"),
    ]
    assert propose(earlier=EARLIER, later=later, links={}) == {
        11: Proposal(11, "same", 1, "Same short name and text"),
        12: Proposal(12, "reworded", 2, "Same short name, different text"),
        13: Proposal(13, "reworded", 3, "Similar text (89% alike)"),
        14: Proposal(
            14, "new", None, "No earlier question has the same short name or similar text"
        ),
    }


def test_a_question_linked_as_the_same_whose_text_changed_is_proposed_as_reworded():
    later = [
        Item(11, "ownership", "Is there clear accountability for the organisation's data?"),
        Item(12, "catalogue", "Does the organisation know what data it holds?"),
        Item(13, "quality", "How  is the quality of data measured?"),  # spacing only
    ]
    links = {11: [(1, "same")], 12: [(2, "same")], 13: [(3, "same")]}
    assert propose(earlier=EARLIER, later=later, links=links) == {
        12: Proposal(12, "reworded", 2, "Linked as the same, but its text has changed"),
    }


def test_reviewed_questions_get_no_proposal_and_their_ancestors_are_not_offered_again():
    later = [
        Item(11, "merged", "Is data shared with partners and catalogued?"),
        Item(12, "new-one", "Is there clear accountability for the organisation's data?"),
        Item(13, "sharing", "Is data shared with partners?"),
    ]
    links = {11: [(2, "merged-from"), (5, "merged-from")]}
    # 12 is marked new; 13 has the slug of an earlier question already taken by 11's merge.
    assert propose(earlier=EARLIER, later=later, links=links, new=[12]) == {
        13: Proposal(
            13, "new", None, "No earlier question has the same short name or similar text"
        ),
    }


def test_the_most_alike_pair_wins_whatever_the_order():
    earlier = [Item(1, "a", "How is the quality of data measured and improved?")]
    later = [
        Item(11, "x", "How is the quality of data measured and reported?"),
        Item(12, "y", "How is the quality of data measured and improved today?"),
    ]
    for order in (later, later[::-1]):
        found = propose(earlier=earlier, later=order, links={})
        assert found[12].relation == "reworded" and found[12].ancestor == 1
        assert found[11].relation == "new"


def test_no_two_different_builtin_questions_are_similar_enough_to_be_proposed():
    """The threshold's evidence: across the built-in library, different questions never reach
    it (and so are never proposed as rewordings of each other)."""
    texts = []
    for path in sorted((Path(settings.BASE_DIR) / "frameworks" / "library").glob("*/1.0.0.yaml")):
        spec = parse_framework(path.read_bytes(), filename=path.name, max_bytes=10**7)
        texts += [q.text for d in spec.dimensions for q in d.questions]
    assert len(texts) > 80
    highest = max(similarity(a, b) for a, b in itertools.combinations(texts, 2))
    assert highest < SIMILAR_ENOUGH
    # And an editor's light rewording of one of them does reach it.
    assert (
        similarity(
            "Does the organisation know what data it holds, where it is and what it means?",
            "Does the organisation know what data it holds, where it is kept and what each item "
            "means?",
        )
        >= SIMILAR_ENOUGH
    )


# The pages and services


@pytest.fixture
def draft(db):
    """Version 1.0.0 published, and draft 1.1.0 made from it and then edited: one question
    reworded (still linked as the same), one renamed (its link removed), one added."""
    source = make_version(slug="data", dimensions=2, questions=3, publish=True)
    draft = framework_version_create_draft(
        framework=source.framework, version="1.1.0", clone_from=source
    )
    questions = {q.slug: q for q in Question.objects.filter(dimension__framework_version=draft)}
    Question.objects.filter(pk=questions["d1-q1"].pk).update(
        text="Question 1 of dimension 1, asked today?"
    )
    renamed = questions["d1-q2"]
    QuestionLink.objects.filter(question=renamed).delete()
    Question.objects.filter(pk=renamed.pk).update(slug="d1-q2-renamed")
    added = Question.objects.create(
        dimension=questions["d2-q1"].dimension, slug="brand-new", text="Is it new?", position=9
    )
    QuestionLevel.objects.bulk_create(
        QuestionLevel(question=added, value=v, descriptor=f"New at {v}.") for v in range(1, 6)
    )
    return draft


def crosswalk_url(fv, name="frameworks:crosswalk", **kwargs):
    return reverse(name, kwargs={"slug": fv.framework.slug, "version": fv.version, **kwargs})


def question(fv, slug):
    return Question.objects.get(dimension__framework_version=fv, slug=slug)


def links_of(q):
    return sorted(
        (link.relation, link.ancestor.slug, link.confirmed)
        for link in QuestionLink.objects.filter(question=q)
    )


def test_crosswalk_page_shows_links_and_proposals(editor_client, draft):
    page = editor_client.get(crosswalk_url(draft))
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("<h1") == 1
    assert "Crosswalk from version 1.0.0 to 1.1.0" in text
    assert text.count("data-proposal") == 3
    assert "reworded from d1-q1: linked as the same, but its text has changed" in text
    assert "the same as d1-q2: same text, different short name" in text
    assert "new: no earlier question has the same short name or similar text" in text
    assert "Not reviewed" in text
    assert "Confirm all proposals" in text


def test_confirm_all_confirms_exactly_the_proposals_shown(editor_client, editor, draft):
    page = editor_client.get(crosswalk_url(draft)).content.decode()
    assert 'name="seen"' in page
    response = editor_client.submit(
        crosswalk_url(draft, "frameworks:crosswalk_confirm"),
        {"seen": crosswalk_of(framework_version=draft).fingerprint},
        form_url=crosswalk_url(draft),
        follow=True,
    )
    assert "3 proposals confirmed." in response.content.decode()
    assert links_of(question(draft, "d1-q1")) == [("reworded", "d1-q1", True)]
    assert links_of(question(draft, "d1-q2-renamed")) == [("same", "d1-q2", True)]
    assert links_of(question(draft, "brand-new")) == []
    assert question(draft, "brand-new").new_in_version
    event = AuditEvent.objects.get(action="framework_version.crosswalk_confirm")
    assert event.actor == editor
    assert sorted(event.changes["confirmed"]) == [
        "brand-new: new",
        "d1-q1: reworded d1-q1",
        "d1-q2-renamed: same d1-q2",
    ]
    # Nothing left to propose or review: the draft may be published.
    assert crosswalk_of(framework_version=draft).proposals == []
    assert framework_version_problems(framework_version=draft) == []
    framework_version_publish(framework_version=draft)


def test_confirm_all_refuses_when_the_draft_changed_since_the_page_was_shown(editor_client, draft):
    seen = crosswalk_of(framework_version=draft).fingerprint
    Question.objects.create(
        dimension=question(draft, "d1-q3").dimension, slug="later-still", text="Added since?"
    )
    before = sorted(QuestionLink.objects.values_list("question_id", "ancestor_id", "relation"))
    response = editor_client.submit(
        crosswalk_url(draft, "frameworks:crosswalk_confirm"),
        {"seen": seen},
        form_url=crosswalk_url(draft),
        follow=True,
    )
    assert "nothing was confirmed" in response.content.decode()
    assert sorted(QuestionLink.objects.values_list("question_id", "ancestor_id", "relation")) == (
        before
    )
    with pytest.raises(CrosswalkChanged):
        crosswalk_proposals_confirm(framework_version=draft, seen=seen)


def test_correcting_a_question_to_merged_from_two(editor_client, editor, draft):
    q = question(draft, "brand-new")
    source = draft.cloned_from
    ancestors = [question(source, "d2-q2"), question(source, "d2-q3")]
    url = crosswalk_url(draft, "frameworks:crosswalk_question", pk=q.pk)
    page = editor_client.get(url).content.decode()
    assert "Proposed: new." in page
    response = editor_client.submit(
        url, {"relation": "merged-from", "ancestors": [str(a.pk) for a in ancestors]}
    )
    assert response.status_code == 302
    assert links_of(q) == [("merged-from", "d2-q2", True), ("merged-from", "d2-q3", True)]
    q.refresh_from_db()
    assert not q.new_in_version
    event = AuditEvent.objects.get(action="question.crosswalk")
    assert event.actor == editor and event.object_id == str(q.pk)
    assert event.changes["after"] == ["merged-from d2-q2", "merged-from d2-q3"]


def test_correcting_a_linked_question_to_new_removes_its_links(editor_client, draft):
    q = question(draft, "d2-q1")
    editor_client.submit(
        crosswalk_url(draft, "frameworks:crosswalk_question", pk=q.pk), {"relation": "new"}
    )
    q.refresh_from_db()
    assert q.new_in_version and links_of(q) == []


@pytest.mark.parametrize(
    ("relation", "count", "message"),
    [
        ("same", 0, "Select the one earlier question it comes from"),
        ("reworded", 2, "Select the one earlier question it comes from"),
        ("merged-from", 1, "Select two or more earlier questions it was merged from"),
        ("new", 1, "A new question has no earlier question"),
        ("", 0, "Select how this question relates to the earlier version"),
    ],
)
def test_a_wrong_answer_is_explained_and_changes_nothing(
    editor_client, draft, relation, count, message
):
    q = question(draft, "d2-q1")
    before = links_of(q)
    earlier = list(Question.objects.filter(dimension__framework_version=draft.cloned_from))
    response = editor_client.submit(
        crosswalk_url(draft, "frameworks:crosswalk_question", pk=q.pk),
        {"relation": relation, "ancestors": [str(a.pk) for a in earlier[:count]]},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in text and message in text
    assert links_of(q) == before


def test_an_ancestor_outside_the_source_version_is_refused(draft):
    other = make_version(slug="other", publish=True)
    with pytest.raises(CrosswalkRefused):
        question_links_set(
            question=question(draft, "brand-new"),
            relation="same",
            ancestors=[Question.objects.filter(dimension__framework_version=other).first()],
        )
    with pytest.raises(CrosswalkRefused):  # its own question is not an ancestor either
        question_links_set(
            question=question(draft, "brand-new"),
            relation="same",
            ancestors=[question(draft, "d1-q3")],
        )
    assert links_of(question(draft, "brand-new")) == []


def test_a_published_versions_links_cannot_change(editor_client, draft):
    crosswalk_proposals_confirm(
        framework_version=draft, seen=crosswalk_of(framework_version=draft).fingerprint
    )
    framework_version_publish(framework_version=draft)
    q = question(draft, "d2-q1")
    before = links_of(q)
    with pytest.raises(FrameworkVersionFrozen):
        question_links_set(question=q, relation="new", ancestors=[])
    with pytest.raises(FrameworkVersionFrozen):
        crosswalk_proposals_confirm(framework_version=draft, seen="")
    url = crosswalk_url(draft, "frameworks:crosswalk_question", pk=q.pk)
    # Forms opened before it was published and sent after (the page has the sign-out token).
    response = editor_client.submit(url, {"relation": "new"}, form_url=crosswalk_url(draft))
    assert response.status_code == 302
    response = editor_client.submit(
        crosswalk_url(draft, "frameworks:crosswalk_confirm"), {}, form_url=crosswalk_url(draft)
    )
    assert response.status_code == 302
    assert links_of(q) == before
    # The page still shows the crosswalk, with nothing to change.
    text = editor_client.get(crosswalk_url(draft)).content.decode()
    assert "its crosswalk cannot change" in text and "Confirm all proposals" not in text


def test_publishing_is_refused_while_questions_are_unreviewed(editor_client, draft):
    problems = framework_version_problems(framework_version=draft)
    assert problems == [
        "Question “d1-q1” in “Dimension 1” is linked as the same as “d1-q1” in version 1.0.0, "
        "but its text has changed: link it as reworded on the crosswalk page.",
        "Question “d1-q2-renamed” in “Dimension 1” is not linked to an earlier question or "
        "marked as new: confirm or correct it on the crosswalk page.",
        "Question “brand-new” in “Dimension 2” is not linked to an earlier question or marked "
        "as new: confirm or correct it on the crosswalk page.",
    ]
    with pytest.raises(FrameworkVersionIncomplete):
        framework_version_publish(framework_version=draft)
    response = editor_client.submit(
        reverse("frameworks:publish", args=[draft.framework.slug, draft.version]), {}
    )
    assert "is not linked to an earlier question" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == FrameworkVersion.Status.DRAFT


def test_many_unreviewed_questions_are_summed_up(db):
    source = make_version(slug="big", dimensions=3, questions=5, publish=True)
    draft = framework_version_create_draft(
        framework=source.framework, version="2.0.0", clone_from=source
    )
    QuestionLink.objects.filter(question__dimension__framework_version=draft).delete()
    problems = framework_version_problems(framework_version=draft)
    assert len(problems) == 11
    assert problems[-1] == "5 more questions to review on the crosswalk page."


def test_versions_not_drafted_from_another_have_no_crosswalk(editor_client, db):
    first = make_version(slug="first", publish=False)
    assert framework_version_problems(framework_version=first) == []
    response = editor_client.get(crosswalk_url(first), follow=True)
    assert "was not drafted from another version" in response.content.decode()


def test_version_page_sums_up_the_crosswalk(client, editor_client, draft):
    url = reverse("frameworks:version", args=[draft.framework.slug, draft.version])
    text = editor_client.get(url).content.decode()
    assert "Compared with version 1.0.0" in text
    assert "5 the same, 0 reworded, 0 split, 0 merged, 0 new, 2 not reviewed yet." in text
    assert crosswalk_url(draft) in text
    crosswalk_proposals_confirm(
        framework_version=draft, seen=crosswalk_of(framework_version=draft).fingerprint
    )
    framework_version_publish(framework_version=draft)
    public = client.get(url).content.decode()
    assert "5 the same, 1 reworded, 0 split, 0 merged, 1 new." in public
    assert crosswalk_url(draft) not in public  # the crosswalk page is for editors


def test_crosswalk_page_queries_do_not_grow_with_the_framework(editor_client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size, slug in ((1, "small"), (6, "large")):
        source = make_version(slug=slug, dimensions=size, questions=size * 3, publish=True)
        draft = framework_version_create_draft(
            framework=source.framework, version="2.0.0", clone_from=source
        )
        Question.objects.filter(dimension__framework_version=draft).update(text="Reworded?")
        editor_client.get(crosswalk_url(draft))  # the session's idle clock is saved once
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(crosswalk_url(draft)).status_code == 200
        counts.append(len(queries))
    assert counts == [9, 9]
