"""Two editors adding versions of one framework at once: "1.0" and "1.0.0" must not both be
saved (the unique constraint alone would let them, as the strings differ).

Runs on PostgreSQL with real connections racing; SQLite serialises whole-database writes, so
the race cannot be staged there (CI runs both).
"""

import threading
import time

import pytest
from django.db import transaction

from frameworks import services
from frameworks.fileformat import FrameworkFileError
from frameworks.models import FrameworkVersion
from tests.factories import make_spec, make_version
from tests.races import in_threads, postgresql_only

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only,
]


def test_a_version_added_while_another_is_uncommitted_must_be_higher_than_it():
    published = make_version(slug="raced", version="0.9.0")
    first_in = threading.Event()
    second_started = threading.Event()

    def new_draft_and_hold():
        with transaction.atomic():
            services.framework_version_create_draft(
                framework=published.framework, version="1.0", clone_from=published
            )
            first_in.set()
            second_started.wait(timeout=10)
            time.sleep(0.3)  # let the import reach its check before this commits

    def import_file():
        first_in.wait(timeout=10)
        second_started.set()
        services.framework_version_import(spec=make_spec(slug="raced", version="1.0.0"))

    errors = in_threads(new_draft_and_hold, import_file)
    assert [type(e) for e in errors] == [FrameworkFileError]
    assert errors[0].messages == [
        "framework.version: version '1.0.0' of 'raced' is not higher than '1.0', the highest "
        "version so far; give the file a higher version number"
    ]
    versions = FrameworkVersion.objects.filter(framework__slug="raced")
    assert sorted(versions.values_list("version", flat=True)) == ["0.9.0", "1.0"]
