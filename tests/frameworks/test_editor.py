"""The framework editor: every change to a draft from the service's own pages, its messages, and
its refusal of published and retired versions."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frameworks import services
from frameworks.models import (
    Dimension,
    FacetValue,
    FrameworkVersion,
    Question,
    QuestionLevel,
    ScaleLevel,
)
from frameworks.selectors import framework_version_spec
from maturity.audit.models import AuditEvent
from tests.conftest import CsrfClient
from tests.factories import OrganisationFactory, UserFactory, make_version, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    return make_version(slug="edited", version="1.0.0")


@pytest.fixture
def draft(published, editor):
    return services.framework_version_create_draft(
        framework=published.framework, version="2.0.0", clone_from=published, user=editor
    )


def url(name, fv, **kwargs):
    return reverse(
        f"frameworks:{name}",
        kwargs={"slug": fv.framework.slug, "version": fv.version, **kwargs},
    )


def first(fv, model=Question):
    if model is Question:
        return Question.objects.filter(dimension__framework_version=fv).order_by(
            "dimension__position", "position"
        )[0]
    return model.objects.filter(framework_version=fv).order_by("position", "id")[0]


def question_data(fv, dimension, **changes):
    """A complete question form, as an editor fills it in."""
    data = {
        "text": "Do you publish your data standards?",
        "slug": "",
        "help": "Think of open data too.",
        "dimension": dimension.pk,
        "weight": "2",
    }
    levels = list(fv.levels.order_by("value"))
    for level in levels:
        data[f"descriptor_{level.value}"] = f"Standards at level {level.value}."
        if level != levels[-1]:
            data[f"recommendation_{level.value}"] = f"Move up from {level.value}."
    facet = fv.facets.first()
    if facet is not None:
        data[f"tag_{facet.pk}"] = facet.values.get(slug="data").pk
    return data | changes


def summary_errors(response) -> list[str]:
    """The error summary's messages, in order."""
    text = response.content.decode()
    assert 'class="govuk-error-summary"' in text, "no error summary on the page"
    summary = text.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [html.unescape(m) for m in re.findall(r'<a href="#[^"]+">([^<]+)</a>', summary)]


# The editor's page


def test_the_editor_lists_each_dimension_with_its_questions_and_their_actions(editor_client, draft):
    response = editor_client.get(url("editor", draft))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Edit Framework edited" in text
    assert "1. Dimension 1" in text and "2. Dimension 2" in text
    assert "1.1 Question 1 of dimension 1?" in text
    question = first(draft)
    for name in ("editor_question", "editor_question_remove", "editor_question_move"):
        assert url(name, draft, qpk=question.pk) in text
    preview = reverse(
        "assessments:question_preview",
        kwargs={"slug": "edited", "version": "2.0.0", "qpk": question.pk},
    )
    assert preview in text
    assert "This draft is complete and can be published." in text


def test_the_version_page_and_the_publish_page_link_to_the_editor(editor_client, draft):
    editor = url("editor", draft)
    assert editor in editor_client.get(draft.get_absolute_url()).content.decode()
    Question.objects.filter(dimension__framework_version=draft).first().levels.first().delete()
    assert editor in editor_client.get(url("publish", draft)).content.decode()


# Details


def test_details_are_saved_and_audited(editor_client, draft):
    response = editor_client.submit(
        url("editor_details", draft),
        {
            "name": "Edited framework",
            "description": "Second edition.",
            "licence": "Open Government Licence v3.0",
            "publisher": "Testshire Digital",
            "publication_date_0": "1",
            "publication_date_1": "4",
            "publication_date_2": "2027",
            "scoring": "lowest",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.name, draft.description, draft.scoring) == (
        "Edited framework",
        "Second edition.",
        "lowest",
    )
    assert (draft.licence, draft.publisher, draft.publication_date) == (
        "Open Government Licence v3.0",
        "Testshire Digital",
        datetime.date(2027, 4, 1),
    )
    event = AuditEvent.objects.filter(action="framework_version.update").get()
    assert event.changes["fields"] == [
        "name",
        "description",
        "scoring",
        "licence",
        "publisher",
        "publication_date",
    ]
    page = editor_client.get(url("editor", draft)).content.decode()
    assert "Open Government Licence v3.0" in page and "1 April 2027" in page


def test_details_without_a_name_are_refused_in_the_error_summary(editor_client, draft):
    response = editor_client.submit(
        url("editor_details", draft), {"name": " ", "description": "", "scoring": "bogus"}
    )
    assert response.status_code == 200
    assert summary_errors(response) == [
        "Enter the framework's name",
        "Select how scores are worked out",
    ]
    assert response.content.decode().count("<title>Error: ") == 1
    draft.refresh_from_db()
    assert draft.name == "Framework edited"


# The scale


def test_the_scale_labels_and_descriptions_are_saved(editor_client, draft):
    data = {}
    for level in draft.levels.all():
        data[f"label_{level.value}"] = f"Stage {level.value}"
        data[f"description_{level.value}"] = f"About stage {level.value}."
    editor_client.submit(url("editor_scale", draft), data)
    assert list(draft.levels.values_list("label", "description")) == [
        (f"Stage {v}", f"About stage {v}.") for v in range(1, 6)
    ]


def test_a_scale_label_left_blank_is_named_in_the_error(editor_client, draft):
    data = {f"label_{lv.value}": lv.label for lv in draft.levels.all()} | {"label_3": ""}
    response = editor_client.submit(url("editor_scale", draft), data)
    assert summary_errors(response) == ["Enter a label for level 3"]
    assert draft.levels.get(value=3).label == "Defined"


def test_a_level_added_asks_every_question_for_a_descriptor(editor_client, draft):
    response = editor_client.submit(
        url("editor_level_add", draft), {"value": "6", "label": "Exemplary", "description": ""}
    )
    assert response.status_code == 302
    assert list(draft.levels.values_list("value", flat=True)) == [1, 2, 3, 4, 5, 6]
    problems = services.framework_version_problems(framework_version=draft)
    assert any("no descriptor for level 6" in p for p in problems)
    text = editor_client.get(url("editor", draft)).content.decode()
    assert "Needs descriptors" in text and "Before this draft can be published" in text


def test_a_level_number_already_on_the_scale_is_refused(editor_client, draft):
    response = editor_client.submit(
        url("editor_level_add", draft), {"value": "3", "label": "Again", "description": ""}
    )
    assert summary_errors(response) == ["Level 3 is already on the scale; enter another number"]
    assert draft.levels.count() == 5


def test_a_scale_cannot_grow_past_ten_levels(editor_client, draft):
    for value in range(6, 11):
        ScaleLevel.objects.create(framework_version=draft, value=value, label=f"L{value}")
    response = editor_client.submit(
        url("editor_level_add", draft), {"value": "11", "label": "Eleven", "description": ""}
    )
    assert summary_errors(response) == ["The scale already has 10 levels, the most it can have"]
    assert draft.levels.count() == 10


def test_removing_the_top_level_removes_its_descriptors_and_the_new_tops_recommendations(
    editor_client, draft
):
    top = draft.levels.get(value=5)
    page = editor_client.get(url("editor_level_remove", draft, lpk=top.pk))
    assert "its recommendations are deleted too" in page.content.decode()
    response = editor_client.submit(url("editor_level_remove", draft, lpk=top.pk), {})
    assert response.status_code == 302
    content = QuestionLevel.objects.filter(question__dimension__framework_version=draft)
    assert not content.filter(value=5).exists()
    assert set(content.filter(value=4).values_list("recommendation", flat=True)) == {""}
    assert set(content.filter(value=3).values_list("recommendation", flat=True)) != {""}
    assert services.framework_version_problems(framework_version=draft) == []


def test_a_scale_keeps_at_least_two_levels(editor_client, draft):
    draft.levels.filter(value__gt=2).delete()
    level = draft.levels.get(value=2)
    response = editor_client.submit(url("editor_level_remove", draft, lpk=level.pk), {})
    assert response.status_code == 302
    assert draft.levels.count() == 2
    page = editor_client.get(response["Location"]).content.decode()
    assert "A scale needs at least 2 levels, so this one cannot be removed" in page


# Facets and their values


def test_a_facet_and_its_values_are_added_changed_and_removed(editor_client, draft):
    response = editor_client.submit(
        url("editor_facet_add", draft),
        {"name": "Delivery stage", "slug": "", "description": "", "layer_axis": "on"},
    )
    assert response.status_code == 302
    facet = draft.facets.get(slug="delivery-stage")
    assert facet.layer_axis
    assert not draft.facets.get(slug="layer").layer_axis
    editor_client.submit(
        url("editor_value_add", draft, fpk=facet.pk), {"name": "Discovery", "weight": "0.5"}
    )
    value = facet.values.get(slug="discovery")
    assert value.weight == 0.5
    editor_client.submit(
        url("editor_value", draft, fpk=facet.pk, vpk=value.pk),
        {"name": "Alpha", "slug": "alpha", "weight": "2"},
    )
    value.refresh_from_db()
    assert (value.name, value.slug, value.weight) == ("Alpha", "alpha", 2.0)
    page = editor_client.get(url("editor_facets", draft)).content.decode()
    assert "Delivery stage (the layer axis)" in page and "Weight 2, 0 questions" in page
    editor_client.submit(url("editor_value_remove", draft, fpk=facet.pk, vpk=value.pk), {})
    assert not facet.values.exists()
    editor_client.submit(url("editor_facet_remove", draft, fpk=facet.pk), {})
    assert not draft.facets.filter(slug="delivery-stage").exists()


def test_removing_a_facet_value_untags_its_questions(editor_client, draft):
    value = FacetValue.objects.get(facet__framework_version=draft, slug="data")
    tagged = list(value.questions.values_list("pk", flat=True))
    assert tagged
    editor_client.submit(url("editor_value_remove", draft, fpk=value.facet_id, vpk=value.pk), {})
    assert not Question.tags.through.objects.filter(question_id__in=tagged, facetvalue_id=value.pk)


def test_facet_and_value_mistakes_are_named_in_the_error_summary(editor_client, draft):
    response = editor_client.submit(
        url("editor_facet_add", draft), {"name": "Layer again", "slug": "layer"}
    )
    assert summary_errors(response) == ["Another facet already uses the short name layer"]
    facet = draft.facets.get(slug="layer")
    response = editor_client.submit(
        url("editor_value_add", draft, fpk=facet.pk),
        {"name": "People", "slug": "People!", "weight": "0"},
    )
    assert summary_errors(response) == [
        "Short name must use only lower-case letters, digits and single hyphens",
        "Enter a weight greater than 0, like 1 or 0.5",
    ]
    response = editor_client.submit(
        url("editor_value_add", draft, fpk=facet.pk), {"name": "", "weight": "lots"}
    )
    assert summary_errors(response) == [
        "Enter the value's name, like Data",
        "Enter the weight as a number, like 1 or 0.5",
    ]
    assert facet.values.count() == 3


# Dimensions


def test_a_dimension_is_added_last_with_a_short_name_made_from_its_name(editor_client, draft):
    response = editor_client.submit(
        url("editor_dimension_add", draft),
        {"name": "Culture and leadership", "slug": "", "description": "", "weight": "1.5"},
    )
    dimension = draft.dimensions.get(slug="culture-and-leadership")
    assert response["Location"].endswith(f"#dimension-{dimension.pk}")
    assert [d.slug for d in draft.dimensions.order_by("position")][-1] == dimension.slug
    assert dimension.weight == 1.5
    # Empty until it has a question: publishing says so.
    problems = services.framework_version_problems(framework_version=draft)
    assert [p for p in problems if "Culture and leadership" in p and "question" in p]


def test_a_dimension_short_name_already_used_is_refused(editor_client, draft):
    response = editor_client.submit(
        url("editor_dimension_add", draft), {"name": "Copy", "slug": "dimension-1", "weight": "1"}
    )
    assert summary_errors(response) == ["Another dimension already uses the short name dimension-1"]
    assert draft.dimensions.count() == 2


def test_a_dimension_is_changed(editor_client, draft):
    dimension = first(draft, Dimension)
    editor_client.submit(
        url("editor_dimension", draft, dpk=dimension.pk),
        {"name": "Data", "slug": "data", "description": "About data.", "weight": "3"},
    )
    dimension.refresh_from_db()
    assert (dimension.name, dimension.slug, dimension.description, dimension.weight) == (
        "Data",
        "data",
        "About data.",
        3.0,
    )


def test_dimensions_move_up_and_down_without_javascript(editor_client, draft):
    def order():
        return list(draft.dimensions.order_by("position", "id").values_list("slug", flat=True))

    second = draft.dimensions.get(slug="dimension-2")
    editor_client.submit(
        url("editor_dimension_move", draft, dpk=second.pk),
        {"direction": "up"},
        form_url=url("editor", draft),
    )
    assert order() == ["dimension-2", "dimension-1"]
    response = editor_client.submit(
        url("editor_dimension_move", draft, dpk=second.pk),
        {"direction": "up"},
        form_url=url("editor", draft),
    )
    assert order() == ["dimension-2", "dimension-1"]
    assert "is already first" in editor_client.get(response["Location"]).content.decode()
    editor_client.submit(
        url("editor_dimension_move", draft, dpk=second.pk),
        {"direction": "down"},
        form_url=url("editor", draft),
    )
    assert order() == ["dimension-1", "dimension-2"]


def test_removing_a_dimension_removes_its_questions(editor_client, draft):
    dimension = first(draft, Dimension)
    page = editor_client.get(url("editor_dimension_remove", draft, dpk=dimension.pk))
    assert "Its 3 questions, with their descriptors and recommendations" in page.content.decode()
    editor_client.submit(url("editor_dimension_remove", draft, dpk=dimension.pk), {})
    assert not Dimension.objects.filter(pk=dimension.pk).exists()
    assert Question.objects.filter(dimension__framework_version=draft).count() == 3


# Questions


def test_a_question_is_added_with_its_descriptors_recommendations_and_tag(editor_client, draft):
    dimension = draft.dimensions.get(slug="dimension-2")
    response = editor_client.submit(
        url("editor_question_add", draft, dpk=dimension.pk), question_data(draft, dimension)
    )
    question = Question.objects.get(dimension=dimension, slug="do-you-publish-your-data-standards")
    assert response["Location"].endswith(f"#question-{question.pk}")
    assert list(dimension.questions.order_by("position").values_list("slug", flat=True))[-1] == (
        question.slug
    )
    assert (question.text, question.help, question.weight) == (
        "Do you publish your data standards?",
        "Think of open data too.",
        2.0,
    )
    assert list(question.levels.values_list("value", "descriptor", "recommendation")) == [
        (1, "Standards at level 1.", "Move up from 1."),
        (2, "Standards at level 2.", "Move up from 2."),
        (3, "Standards at level 3.", "Move up from 3."),
        (4, "Standards at level 4.", "Move up from 4."),
        (5, "Standards at level 5.", ""),
    ]
    assert [t.slug for t in question.tags.all()] == ["data"]
    assert AuditEvent.objects.filter(action="question.create", object_id=str(question.pk)).exists()


def test_a_question_form_has_no_recommendation_for_the_top_level(editor_client, draft):
    dimension = first(draft, Dimension)
    text = editor_client.get(url("editor_question_add", draft, dpk=dimension.pk)).content.decode()
    assert 'name="recommendation_4"' in text and 'name="recommendation_5"' not in text
    assert 'name="descriptor_5"' in text


def test_a_question_missing_text_and_a_descriptor_is_refused_naming_both(editor_client, draft):
    dimension = first(draft, Dimension)
    data = question_data(draft, dimension, text="", slug="new-one", descriptor_3=" ")
    response = editor_client.submit(url("editor_question_add", draft, dpk=dimension.pk), data)
    assert summary_errors(response) == [
        "Enter the question's text",
        "Enter what level 3 (Defined) looks like for this question",
    ]
    assert 'href="#id_descriptor_3"' in response.content.decode()
    assert dimension.questions.count() == 3


def test_a_question_short_name_used_in_another_dimension_is_refused(editor_client, draft):
    dimension = first(draft, Dimension)
    data = question_data(draft, dimension, slug="d2-q1")
    response = editor_client.submit(url("editor_question_add", draft, dpk=dimension.pk), data)
    assert summary_errors(response) == [
        "The question “Question 1 of dimension 2?” in Dimension 2 already uses the short name "
        "d2-q1; enter another"
    ]


def test_a_question_is_changed_moved_to_another_dimension_and_retagged(editor_client, draft):
    question = first(draft)
    target = draft.dimensions.get(slug="dimension-2")
    data = question_data(
        draft, target, text="Who owns each data set?", slug=question.slug, descriptor_3="Owned."
    )
    facet = draft.facets.get()
    data[f"tag_{facet.pk}"] = ""
    editor_client.submit(url("editor_question", draft, qpk=question.pk), data)
    question.refresh_from_db()
    assert question.text == "Who owns each data set?"
    assert question.dimension == target
    assert list(target.questions.order_by("position").values_list("pk", flat=True))[-1] == (
        question.pk
    )
    assert question.levels.get(value=3).descriptor == "Owned."
    assert not question.tags.exists()


def test_the_question_form_starts_with_the_questions_content(editor_client, draft):
    question = first(draft)
    text = editor_client.get(url("editor_question", draft, qpk=question.pk)).content.decode()
    assert "Question 1 of dimension 1?" in text
    assert "D1 Q1 at level 4." in text and "Move D1 Q1 up from 4." in text
    assert f'value="{question.slug}"' in text


def test_questions_move_up_and_down_within_their_dimension(editor_client, draft):
    dimension = first(draft, Dimension)

    def order():
        return list(dimension.questions.order_by("position", "id").values_list("slug", flat=True))

    last = dimension.questions.get(slug="d1-q3")
    editor_client.submit(
        url("editor_question_move", draft, qpk=last.pk),
        {"direction": "up"},
        form_url=url("editor", draft),
    )
    assert order() == ["d1-q1", "d1-q3", "d1-q2"]
    editor_client.submit(
        url("editor_question_move", draft, qpk=last.pk),
        {"direction": "down"},
        form_url=url("editor", draft),
    )
    assert order() == ["d1-q1", "d1-q2", "d1-q3"]


def test_a_question_is_removed(editor_client, draft):
    question = first(draft)
    page = editor_client.get(url("editor_question_remove", draft, qpk=question.pk))
    assert "Remove the question “Question 1 of dimension 1?”?" in page.content.decode()
    editor_client.submit(url("editor_question_remove", draft, qpk=question.pk), {})
    assert not Question.objects.filter(pk=question.pk).exists()
    assert AuditEvent.objects.filter(action="question.delete").count() == 1


def test_a_draft_edited_in_the_editor_publishes(editor_client, draft):
    dimension = first(draft, Dimension)
    editor_client.submit(
        url("editor_question_add", draft, dpk=dimension.pk), question_data(draft, dimension)
    )
    # A question added to a draft made from another version is reviewed on the crosswalk page
    # (tests/frameworks/test_crosswalk.py); here it is confirmed as new.
    Question.objects.filter(slug="do-you-publish-your-data-standards").update(new_in_version=True)
    editor_client.submit(url("publish", draft), {})
    draft.refresh_from_db()
    assert draft.is_published
    spec = framework_version_spec(framework_version=draft)
    assert spec.dimensions[0].questions[-1].slug == "do-you-publish-your-data-standards"


def test_a_new_framework_is_written_from_scratch_and_published(editor_client):
    editor_client.submit(
        reverse("frameworks:create"), {"name": "Cyber resilience", "slug": "cyber-resilience"}
    )
    fv = FrameworkVersion.objects.get(framework__slug="cyber-resilience")
    assert services.framework_version_problems(framework_version=fv)  # no dimensions yet
    editor_client.submit(
        url("editor_dimension_add", fv), {"name": "Backups", "slug": "", "weight": "1"}
    )
    dimension = fv.dimensions.get()
    editor_client.submit(
        url("editor_question_add", fv, dpk=dimension.pk),
        question_data(fv, dimension, text="Do you test restoring from backups?"),
    )
    assert services.framework_version_problems(framework_version=fv) == []
    editor_client.submit(url("publish", fv), {})
    fv.refresh_from_db()
    assert fv.is_published
    spec = framework_version_spec(framework_version=fv)
    assert [q.slug for d in spec.dimensions for q in d.questions] == [
        "do-you-test-restoring-from-backups"
    ]


# Only drafts change: every route refuses a published or retired version


def _version_kwargs(fv):
    """Every editor route's arguments, pointing at the parts of `fv`."""
    question = first(fv)
    facet = fv.facets.get()
    return {
        "editor": {},
        "editor_details": {},
        "editor_warnings": {},
        "editor_scale": {},
        "editor_level_add": {},
        "editor_level_remove": {"lpk": fv.levels.get(value=5).pk},
        "editor_facets": {},
        "editor_facet_add": {},
        "editor_facet": {"fpk": facet.pk},
        "editor_facet_remove": {"fpk": facet.pk},
        "editor_value_add": {"fpk": facet.pk},
        "editor_value": {"fpk": facet.pk, "vpk": facet.values.first().pk},
        "editor_value_remove": {"fpk": facet.pk, "vpk": facet.values.first().pk},
        "editor_dimension_add": {},
        "editor_dimension": {"dpk": question.dimension_id},
        "editor_dimension_move": {"dpk": question.dimension_id},
        "editor_dimension_remove": {"dpk": question.dimension_id},
        "editor_question_add": {"dpk": question.dimension_id},
        "editor_question": {"qpk": question.pk},
        "editor_question_move": {"qpk": question.pk},
        "editor_question_remove": {"qpk": question.pk},
    }


EDITOR_ROUTES = [
    "editor",
    "editor_details",
    "editor_warnings",
    "editor_scale",
    "editor_level_add",
    "editor_level_remove",
    "editor_facets",
    "editor_facet_add",
    "editor_facet",
    "editor_facet_remove",
    "editor_value_add",
    "editor_value",
    "editor_value_remove",
    "editor_dimension_add",
    "editor_dimension",
    "editor_dimension_move",
    "editor_dimension_remove",
    "editor_question_add",
    "editor_question",
    "editor_question_move",
    "editor_question_remove",
]


def test_every_editor_route_is_in_the_refusal_test():
    from frameworks.urls import urlpatterns

    routed = {p.name for p in urlpatterns if p.name.startswith("editor")}
    assert routed == set(EDITOR_ROUTES)


def _everything(fv):
    """The version's whole content and status, and the audit log's length."""
    fv.refresh_from_db()
    return (
        fv.status,
        fv.name,
        framework_version_spec(framework_version=fv),
        AuditEvent.objects.count(),
    )


def _valid_post(name, fv, kwargs):
    """Data that the route would accept for a draft."""
    dimension = first(fv, Dimension)
    return {
        "editor_details": {"name": "Changed", "description": "", "scoring": "lowest"},
        "editor_warnings": {"lens_imbalance": "on"},
        "editor_scale": {f"label_{v}": "Changed" for v in range(1, 6)},
        "editor_level_add": {"value": "6", "label": "Six"},
        "editor_facet_add": {"name": "Stage"},
        "editor_facet": {"name": "Changed", "slug": "layer"},
        "editor_value_add": {"name": "People", "weight": "1"},
        "editor_value": {"name": "Changed", "slug": "data", "weight": "1"},
        "editor_dimension_add": {"name": "New", "weight": "1"},
        "editor_dimension": {"name": "Changed", "slug": dimension.slug, "weight": "1"},
        "editor_dimension_move": {"direction": "down"},
        "editor_question_add": question_data(fv, dimension),
        "editor_question": question_data(fv, dimension, text="Changed?"),
        "editor_question_move": {"direction": "down"},
    }.get(name, {})


@pytest.mark.parametrize("status", ["published", "retired"])
@pytest.mark.parametrize("name", EDITOR_ROUTES)
def test_every_editor_route_refuses_a_version_that_is_not_a_draft(
    editor_client, published, name, status
):
    if status == "retired":
        services.framework_version_retire(framework_version=published)
    kwargs = _version_kwargs(published)
    target = url(name, published, **kwargs[name])
    before = _everything(published)
    response = editor_client.get(target)
    assert response.status_code == 409
    text = response.content.decode()
    assert f"Version 1.0.0 is {status} and cannot be changed" in text
    assert "Nothing was changed." in text
    assert url("new_draft", published) in text
    assert (url("retire", published) in text) == (status == "published")
    editor_client.get("/")
    token = editor_client.cookies["csrftoken"].value
    response = editor_client.post(
        target, _valid_post(name, published, kwargs) | {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 409
    assert _everything(published) == before


def test_retiring_from_the_editor_keeps_past_assessments_readable(editor_client, published):
    assessment, lead = submit(OrganisationFactory(), published, [3] * 6)
    refusal = editor_client.get(url("editor", published)).content.decode()
    assert url("retire", published) in refusal
    editor_client.submit(url("retire", published), {})
    published.refresh_from_db()
    assert published.status == "retired"
    results = CsrfClient()
    results.force_login(lead)
    page = results.get(
        reverse(
            "assessments:results",
            kwargs={"pk": assessment.organisation_id, "apk": assessment.pk},
        )
    )
    assert page.status_code == 200 and "Framework edited" in page.content.decode()
    assert editor_client.get(url("editor", published)).status_code == 409


def test_the_services_refuse_a_published_version(published):
    question = first(published)
    dimension = question.dimension
    facet = published.facets.get()
    content = services.QuestionContent(dimension=dimension, slug="x", text="X?")
    calls = [
        lambda: services.framework_version_details_update(
            framework_version=published,
            name="X",
            description="",
            scoring="lowest",
            licence="",
            publisher="",
            publication_date=None,
        ),
        lambda: services.scale_level_add(framework_version=published, value=6, label="Six"),
        lambda: services.scale_levels_update(framework_version=published, texts={1: ("X", "")}),
        lambda: services.scale_level_remove(level=published.levels.get(value=5)),
        lambda: services.facet_add(framework_version=published, slug="x", name="X"),
        lambda: services.facet_update(
            facet=facet, slug="x", name="X", description="", layer_axis=False
        ),
        lambda: services.facet_remove(facet=facet),
        lambda: services.facet_value_add(facet=facet, slug="x", name="X", weight=1.0),
        lambda: services.facet_value_update(
            value=facet.values.first(), slug="x", name="X", weight=1.0
        ),
        lambda: services.facet_value_remove(value=facet.values.first()),
        lambda: services.dimension_add(framework_version=published, slug="x", name="X"),
        lambda: services.dimension_update(
            dimension=dimension, slug="x", name="X", description="", weight=1.0
        ),
        lambda: services.dimension_move(dimension=dimension, direction="down"),
        lambda: services.dimension_remove(dimension=dimension),
        lambda: services.question_add(content=content),
        lambda: services.question_update(question=question, content=content),
        lambda: services.question_move(question=question, direction="down"),
        lambda: services.question_remove(question=question),
    ]
    before = _everything(published)
    for call in calls:
        with pytest.raises(services.FrameworkVersionFrozen):
            call()
    assert _everything(published) == before


@pytest.mark.django_db(transaction=True)
def test_the_draft_guard_runs_only_inside_the_writers_transaction():
    """Outside a transaction the row lock would end before the write it guards."""
    from django.db import transaction

    fv = make_version(publish=False)
    with pytest.raises(RuntimeError, match="inside the writer's transaction"):
        services.framework_version_ensure_draft(framework_version=fv)
    with transaction.atomic():
        services.framework_version_ensure_draft(framework_version=fv)


@pytest.mark.parametrize(
    ("model", "pick"),
    [
        ("dimension", lambda fv: first(fv, Dimension)),
        ("question", lambda fv: first(fv)),
        ("facet", lambda fv: fv.facets.get()),
        ("frameworkversion", lambda fv: fv),
    ],
)
def test_the_admins_delete_selected_action_refuses_a_published_version(
    editor_client, published, model, pick
):
    """The admin's list pages offer "Delete selected" too: it must not reach round the rule."""
    target = pick(published)
    changelist = reverse(f"admin:frameworks_{model}_changelist")
    before = _everything(published)
    response = editor_client.submit(
        changelist,
        {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert type(target).objects.filter(pk=target.pk).exists()
    assert _everything(published) == before


# Who may use the editor, and which parts it reaches


def test_anonymous_visitors_sign_in_and_other_people_are_refused(draft):
    target = url("editor", draft)
    response = CsrfClient().get(target)
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")
    other = CsrfClient()
    other.force_login(UserFactory())
    assert other.get(target).status_code == 403
    assert other.get(url("editor", FrameworkVersion.objects.get(version="1.0.0"))).status_code == (
        403
    )


def test_parts_of_another_version_are_404_through_this_versions_address(
    editor_client, draft, published
):
    other = services.framework_version_create_draft(
        framework=make_version(slug="other").framework, version="2.0.0", clone_from=None
    )
    question = first(draft)
    dimension = question.dimension
    facet = draft.facets.get()
    for name, kwargs in [
        ("editor_question", {"qpk": question.pk}),
        ("editor_question_remove", {"qpk": question.pk}),
        ("editor_dimension", {"dpk": dimension.pk}),
        ("editor_question_add", {"dpk": dimension.pk}),
        ("editor_facet", {"fpk": facet.pk}),
        ("editor_level_remove", {"lpk": draft.levels.first().pk}),
    ]:
        assert editor_client.get(url(name, other, **kwargs)).status_code == 404, name
    value = facet.values.first()
    other_facet = services.facet_add(framework_version=other, slug="f", name="F")
    assert editor_client.get(
        url("editor_value", other, fpk=other_facet.pk, vpk=value.pk)
    ).status_code == (404)


def test_a_question_cannot_be_moved_into_another_versions_dimension(draft, published):
    question = first(draft)
    foreign = first(published, Dimension)
    content = services.QuestionContent(dimension=foreign, slug="x", text="X?")
    with pytest.raises(services.EditRefused, match="this version's dimensions"):
        services.question_update(question=question, content=content)


# Query counts: the same for a small and a large framework


def _queries(client, target) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(target).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["editor", "editor_scale", "editor_facets"])
def test_editor_list_pages_cost_the_same_queries_for_any_size(
    editor_client, editor, name, monkeypatch
):
    # The page's queries only: on a slow run a minute can pass between the warm-up and the
    # last request, and the session's once-a-minute refresh would add its own save.
    monkeypatch.setattr("maturity.accounts.middleware.REFRESH_SECONDS", 3600)
    small = services.framework_version_create_draft(
        framework=make_version(slug="small", dimensions=1, questions=1).framework,
        version="2.0.0",
        clone_from=FrameworkVersion.objects.get(framework__slug="small"),
    )
    large = services.framework_version_create_draft(
        framework=make_version(slug="large", dimensions=8, questions=25).framework,
        version="2.0.0",
        clone_from=FrameworkVersion.objects.get(framework__slug="large"),
    )
    editor_client.get(url(name, small))  # the session and permissions are cached after this
    assert _queries(editor_client, url(name, small)) == _queries(editor_client, url(name, large))
    expected = {"editor": 22, "editor_scale": 6, "editor_facets": 7}[name]
    assert _queries(editor_client, url(name, large)) == expected
