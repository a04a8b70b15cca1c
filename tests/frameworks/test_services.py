"""Publishing rules: only drafts change; publishing refuses an incomplete version."""

import dataclasses

import pytest

from frameworks import services
from frameworks.fileformat import LinkSpec
from frameworks.models import Dimension, FrameworkVersion, Question, QuestionLevel, ScaleLevel
from frameworks.selectors import framework_version_spec
from maturity.audit.models import AuditEvent
from tests.factories import make_spec, make_version

pytestmark = pytest.mark.django_db


def test_publish_freezes_and_audits(editor):
    draft = make_version(publish=False)
    services.framework_version_publish(framework_version=draft, user=editor)
    draft.refresh_from_db()
    assert draft.status == FrameworkVersion.Status.PUBLISHED
    assert draft.published_by == editor
    event = AuditEvent.objects.get(action="framework_version.publish")
    assert event.actor == editor
    assert event.changes == {"status": ["draft", "published"]}


@pytest.mark.parametrize("status", ["published", "retired"])
def test_no_service_changes_a_frozen_version(editor, status):
    fv = make_version(publish=True)
    if status == "retired":
        services.framework_version_retire(framework_version=fv, user=editor)
    question = Question.objects.filter(dimension__framework_version=fv).first()
    before = framework_version_spec(framework_version=fv)

    question.text = "Changed?"
    with pytest.raises(services.FrameworkVersionFrozen):
        services.framework_version_content_save(
            instance=question, framework_version=fv, user=editor
        )
    with pytest.raises(services.FrameworkVersionFrozen):
        services.framework_version_content_save(
            instance=Dimension(framework_version=fv, slug="new", name="New"),
            framework_version=fv,
            user=editor,
        )
    with pytest.raises(services.FrameworkVersionFrozen):
        services.framework_version_delete_draft(framework_version=fv, user=editor)
    with pytest.raises(services.FrameworkVersionFrozen):
        services.framework_version_publish(framework_version=fv, user=editor)
    assert framework_version_spec(framework_version=fv) == before


def test_a_draft_can_be_edited(editor):
    draft = make_version(publish=False)
    question = Question.objects.filter(dimension__framework_version=draft).first()
    question.text = "A better question?"
    services.framework_version_content_save(instance=question, framework_version=draft, user=editor)
    assert Question.objects.get(pk=question.pk).text == "A better question?"
    assert AuditEvent.objects.filter(action="question.update", actor=editor).exists()


def test_publish_refuses_a_dimension_without_questions(editor):
    draft = make_version(publish=False)
    Dimension.objects.create(framework_version=draft, slug="empty", name="Empty one", position=9)
    with pytest.raises(services.FrameworkVersionIncomplete) as exc:
        services.framework_version_publish(framework_version=draft, user=editor)
    assert "Dimension “Empty one”: a dimension needs at least one question." in exc.value.problems
    draft.refresh_from_db()
    assert draft.is_draft


def test_publish_refuses_a_missing_descriptor(editor):
    draft = make_version(publish=False)
    QuestionLevel.objects.filter(question__slug="d1-q2", value=4).delete()
    with pytest.raises(services.FrameworkVersionIncomplete) as exc:
        services.framework_version_publish(framework_version=draft, user=editor)
    assert exc.value.problems == ["Question “d1-q2” in “Dimension 1”: no descriptor for level 4."]


def test_publish_refuses_an_empty_version(editor):
    fv = services.framework_create(slug="blank", name="Blank", user=editor)
    assert list(
        ScaleLevel.objects.filter(framework_version=fv).values_list("value", flat=True)
    ) == [
        1,
        2,
        3,
        4,
        5,
    ]
    with pytest.raises(services.FrameworkVersionIncomplete) as exc:
        services.framework_version_publish(framework_version=fv, user=editor)
    assert exc.value.problems == ["A framework needs at least one dimension; add one."]


def strip_links(spec):
    return dataclasses.replace(
        spec,
        dimensions=tuple(
            dataclasses.replace(
                d, questions=tuple(dataclasses.replace(q, derived_from=None) for q in d.questions)
            )
            for d in spec.dimensions
        ),
    )


def test_new_draft_clones_everything_and_leaves_the_source_alone(editor):
    published = make_version(publish=True)
    draft = services.framework_version_create_draft(
        framework=published.framework, version="1.1.0", clone_from=published, user=editor
    )
    assert draft.is_draft and draft.cloned_from == published
    source_spec = framework_version_spec(framework_version=published)
    draft_spec = framework_version_spec(framework_version=draft)
    # Everything is copied, and each question is linked to itself in the source as the same.
    links = {q.slug: q.derived_from for d in draft_spec.dimensions for q in d.questions}
    assert links and all(
        derived == (LinkSpec(version=published.version, question=slug, relation="same"),)
        for slug, derived in links.items()
    )
    assert strip_links(draft_spec) == dataclasses.replace(strip_links(source_spec), version="1.1.0")
    # Editing the draft does not touch the published version.
    q = Question.objects.get(dimension__framework_version=draft, slug="d1-q1")
    q.text = "Reworded?"
    services.framework_version_content_save(instance=q, framework_version=draft, user=editor)
    assert framework_version_spec(framework_version=published) == source_spec


def test_retire_only_from_published(editor):
    draft = make_version(publish=False)
    with pytest.raises(ValueError, match="Only a published version"):
        services.framework_version_retire(framework_version=draft, user=editor)


def test_audit_events_cannot_be_changed_or_deleted(editor):
    make_version(publish=True)
    event = AuditEvent.objects.first()
    event.action = "tampered"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().update(action="tampered")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert not AuditEvent.objects.filter(action="tampered").exists()


def test_import_spec_creates_tags_and_levels():
    spec = make_spec(dimensions=3, questions=4)
    fv = make_version(dimensions=3, questions=4)
    assert Question.objects.filter(dimension__framework_version=fv).count() == 12
    assert QuestionLevel.objects.filter(question__dimension__framework_version=fv).count() == 60
    assert framework_version_spec(framework_version=fv) == spec
