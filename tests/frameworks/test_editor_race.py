"""An edit and a publish of one draft at once: the edit never lands in the published version.

The draft guard locks the version's row inside the edit's transaction, so whichever comes second
waits for the first: an edit after the publish is refused, and a publish after the edit
validates what the edit wrote. Runs on PostgreSQL with real connections racing; SQLite
serialises whole-database writes, so the race cannot be staged there (CI runs both).
"""

import threading
import time

import pytest
from django.db import transaction

from frameworks import services
from frameworks.models import FrameworkVersion, Question
from tests.factories import make_version
from tests.races import in_threads, postgresql_only

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only,
]


def test_an_edit_arriving_while_a_publish_is_uncommitted_is_refused():
    draft = make_version(slug="raced", publish=False)
    question = Question.objects.filter(dimension__framework_version=draft).first()
    published = threading.Event()
    edit_started = threading.Event()

    def publish_and_hold():
        with transaction.atomic():
            services.framework_version_publish(framework_version=draft)
            published.set()
            edit_started.wait(timeout=10)
            time.sleep(0.3)  # let the edit reach its check before this commits

    def edit():
        published.wait(timeout=10)
        edit_started.set()
        services.question_remove(question=question)

    errors = in_threads(publish_and_hold, edit)
    assert [type(e) for e in errors] == [services.FrameworkVersionFrozen]
    assert FrameworkVersion.objects.get(pk=draft.pk).is_published
    assert Question.objects.filter(pk=question.pk).exists()


def test_a_publish_arriving_while_an_edit_is_uncommitted_checks_what_the_edit_wrote():
    draft = make_version(slug="raced", publish=False)
    question = Question.objects.filter(dimension__framework_version=draft).first()
    edited = threading.Event()
    publish_started = threading.Event()

    def edit_and_hold():
        with transaction.atomic():
            # Leaves the question without a descriptor for level 3: not publishable.
            services.question_update(
                question=question,
                content=services.QuestionContent(
                    dimension=question.dimension,
                    slug=question.slug,
                    text=question.text,
                    descriptors={1: "One", 2: "Two", 4: "Four", 5: "Five"},
                ),
            )
            edited.set()
            publish_started.wait(timeout=10)
            time.sleep(0.3)  # let the publish reach its lock before this commits

    def publish():
        edited.wait(timeout=10)
        publish_started.set()
        services.framework_version_publish(framework_version=draft)

    errors = in_threads(edit_and_hold, publish)
    assert [type(e) for e in errors] == [services.FrameworkVersionIncomplete]
    assert any("3" in problem for problem in errors[0].problems)  # names the missing level
    assert FrameworkVersion.objects.get(pk=draft.pk).is_draft
