"""What a draft says about itself beside its questions, edited in the service: the notes on its
version page, the warnings it declares, and why an earlier question is no longer asked."""

import pytest

from frameworks import services
from frameworks.fileformat import DroppedSpec, FlagSpec
from frameworks.models import Dimension, FrameworkVersion, Question
from frameworks.selectors import framework_version_spec
from tests.factories import make_version
from tests.frameworks.test_editor import question_data, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(editor):
    published = make_version(slug="edited", version="1.0.0")
    return services.framework_version_create_draft(
        framework=published.framework, version="2.0.0", clone_from=published, user=editor
    )


def question(fv, slug) -> Question:
    return Question.objects.get(dimension__framework_version=fv, slug=slug)


def spec(fv):
    return framework_version_spec(framework_version=FrameworkVersion.objects.get(pk=fv.pk))


def test_notes_are_written_as_paragraphs_and_shown_on_the_version_page(editor_client, draft):
    response = editor_client.submit(
        url("editor_details", draft),
        {
            "name": draft.name,
            "description": "",
            "scoring": "weighted_mean",
            "notes": "Two questions were split.\r\n\r\n  Level 5 now means   done well. ",
        },
    )
    assert response.status_code == 302
    assert spec(draft).source["notes"] == [
        "Two questions were split.",
        "Level 5 now means done well.",
    ]
    assert spec(draft).source["references"] == ["https://example.org/source"]  # kept
    page = editor_client.get(url("version", draft)).content.decode()
    assert "About this version" in page and "Level 5 now means done well." in page
    editor_client.submit(
        url("editor_details", draft),
        {"name": draft.name, "description": "", "scoring": "weighted_mean", "notes": ""},
    )
    assert "notes" not in spec(draft).source


def test_a_paragraph_over_the_file_formats_limit_is_refused_and_nothing_changes(
    editor_client, draft
):
    response = editor_client.submit(
        url("editor_details", draft),
        {"name": draft.name, "scoring": "weighted_mean", "notes": "Short.\n\n" + "x" * 2001},
    )
    assert response.status_code == 200
    assert "Paragraph 2 of about this version must be 2,000 characters or fewer" in (
        response.content.decode()
    )
    assert "notes" not in spec(draft).source


def test_warnings_are_declared_on_their_own_page(editor_client, draft):
    page = editor_client.get(url("editor_warnings", draft)).content.decode()
    data_questions = [q.slug for q in Question.objects.filter(dimension__framework_version=draft)]
    on_data = [s for s in data_questions if question(draft, s).tags.filter(slug="data").exists()]
    for slug in on_data:  # what the warning compares against is not offered as its input
        assert f'value="{slug}"' not in page
    response = editor_client.submit(
        url("editor_warnings", draft),
        {
            "lens_imbalance": "on",
            "lens_dimensions": ["dimension-1", "dimension-2"],
            "technology_ahead": "on",
            "adoption_questions": ["d1-q3"],
        },
    )
    assert response.status_code == 302
    assert spec(draft).flags == (
        FlagSpec("lens-imbalance", dimensions=("dimension-1", "dimension-2")),
        FlagSpec("technology-ahead-of-data", questions=("d1-q3",)),
    )
    assert services.framework_version_problems(framework_version=draft) == []
    editor_page = editor_client.get(url("editor", draft)).content.decode()
    assert "One dimension far ahead of another" in editor_page


def test_a_warning_without_what_it_compares_is_refused(editor_client, draft):
    response = editor_client.submit(
        url("editor_warnings", draft),
        {"technology_ahead": "on", "lens_imbalance": "on", "lens_dimensions": ["dimension-1"]},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Select the questions that say how far new systems, automation or AI have" in text
    assert "Select at least 2 dimensions to compare, or none for all" in text
    assert spec(draft).flags == ()


def test_the_warnings_follow_a_renamed_question_or_dimension_and_let_go_of_a_removed_one(
    editor_client, draft
):
    services.framework_version_flags_update(
        framework_version=draft,
        flags=(
            FlagSpec("lens-imbalance", dimensions=("dimension-1", "dimension-2")),
            FlagSpec("technology-ahead-of-data", questions=("d1-q3", "d2-q2")),
        ),
    )
    dimension = Dimension.objects.get(framework_version=draft, slug="dimension-1")
    response = editor_client.submit(
        url("editor_question", draft, qpk=question(draft, "d1-q3").pk),
        question_data(draft, dimension, slug="new-systems"),
    )
    assert response.status_code == 302
    services.dimension_update(
        dimension=dimension, slug="lens-one", name="Lens one", description="", weight=1
    )
    services.question_remove(question=question(draft, "d2-q2"))
    assert spec(draft).flags == (
        FlagSpec("lens-imbalance", dimensions=("lens-one", "dimension-2")),
        FlagSpec("technology-ahead-of-data", questions=("new-systems",)),
    )


def test_the_crosswalk_asks_why_an_earlier_question_is_no_longer_asked(editor_client, draft):
    earlier = Question.objects.get(dimension__framework_version=draft.cloned_from, slug="d2-q3")
    services.question_remove(question=question(draft, "d2-q3"))
    page = editor_client.get(url("crosswalk", draft)).content.decode()
    assert "Questions of version 1.0.0 no longer asked" in page
    assert url("crosswalk_dropped", draft, pk=earlier.pk) in page
    response = editor_client.submit(
        url("crosswalk_dropped", draft, pk=earlier.pk),
        {"reason": "Nobody could show evidence for it."},
    )
    assert response.status_code == 302
    assert spec(draft).dropped == (
        DroppedSpec("1.0.0", "d2-q3", "Nobody could show evidence for it."),
    )
    assert services.framework_version_problems(framework_version=draft) == []
    # Linking a question to it again means it is asked after all.
    services.question_links_set(
        question=question(draft, "d2-q2"),
        relation="merged-from",
        ancestors=[
            earlier,
            Question.objects.get(dimension__framework_version=draft.cloned_from, slug="d2-q2"),
        ],
    )
    assert spec(draft).dropped == ()


def test_a_question_still_asked_cannot_be_said_to_be_dropped(editor_client, draft):
    earlier = Question.objects.get(dimension__framework_version=draft.cloned_from, slug="d1-q1")
    assert editor_client.get(url("crosswalk_dropped", draft, pk=earlier.pk)).status_code == 404
    with pytest.raises(services.EditRefused):
        services.framework_version_dropped_set(
            framework_version=draft, question=earlier, reason="Gone."
        )
    assert spec(draft).dropped == ()
