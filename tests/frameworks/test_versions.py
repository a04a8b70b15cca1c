"""Version numbers: dot-separated numbers, compared part by part, and every new version of a
framework numbered higher than all of its existing ones."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from frameworks import services
from frameworks.builtin import LIBRARY_DIR, library_load, library_spec
from frameworks.fileformat import (
    FrameworkFileError,
    dump_framework,
    validate_document,
    version_key,
)
from frameworks.models import Framework, FrameworkVersion, Question
from maturity.audit.models import AuditEvent
from tests.factories import make_spec, make_version


def version_url(fv, name="frameworks:version"):
    return reverse(name, kwargs={"slug": fv.framework.slug, "version": fv.version})


def counts():
    return (
        Framework.objects.count(),
        FrameworkVersion.objects.count(),
        Question.objects.count(),
        AuditEvent.objects.count(),
    )


# --- Comparing version numbers (pure) --------------------------------------------------------


def test_version_key_orders_numbers_part_by_part():
    # Worked by hand: string order would put 1.10 before 1.9 and 10.0 before 2.
    shuffled = ["10.0", "1.10", "2", "1.9", "0.1.0", "1.9.1", "1.0.0"]
    assert sorted(shuffled, key=version_key) == [
        "0.1.0",
        "1.0.0",
        "1.9",
        "1.9.1",
        "1.10",
        "2",
        "10.0",
    ]
    assert version_key("1.0") == version_key("1.0.0") == version_key("1")
    assert version_key("1.0.1") > version_key("1.0")
    assert version_key("0.0") == version_key("0") < version_key("0.0.1")


def _padded(a: str, b: str) -> tuple[list[int], list[int]]:
    """A different method from `version_key`: pad the shorter number with zeros."""
    left, right = [int(p) for p in a.split(".")], [int(p) for p in b.split(".")]
    width = max(len(left), len(right))
    return left + [0] * (width - len(left)), right + [0] * (width - len(right))


versions = st.lists(st.integers(0, 30), min_size=1, max_size=5).map(
    lambda parts: ".".join(map(str, parts))
)


@given(versions, versions)
def test_version_key_agrees_with_comparing_zero_padded_numbers(a, b):
    left, right = _padded(a, b)
    assert (version_key(a) < version_key(b)) == (left < right)
    assert (version_key(a) == version_key(b)) == (left == right)


@pytest.mark.parametrize("bad", ["1.0.0-beta", "v2", "1..0", "1.0.", ".1", "1.0+build", "1 .0"])
def test_a_version_must_be_numbers_separated_by_dots(bad):
    document = make_spec().to_document()
    document["framework"]["version"] = bad
    with pytest.raises(FrameworkFileError) as exc:
        validate_document(document)
    assert exc.value.messages == [
        f"framework.version: {bad!r} is not a valid version: use numbers separated by dots, "
        'up to 40 characters, like "1.0.0"'
    ]
    with pytest.raises(ValueError):
        version_key(bad)


# --- A new version must be numbered higher ----------------------------------------------------


def _upload(editor_client, spec):
    content = dump_framework(spec, "yaml").encode()
    return editor_client.submit(
        reverse("frameworks:import"),
        {"file": SimpleUploadedFile("framework.yaml", content), "publish": "on"},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("lower", ["1.0", "1", "0.9.9", "0.10"])
def test_upload_of_a_version_not_higher_than_the_highest_is_refused(editor_client, lower):
    make_version(slug="numbered", version="0.9.0")
    make_version(slug="numbered", version="1.0.0")
    before = counts()
    response = _upload(editor_client, make_spec(slug="numbered", version=lower))
    text = response.content.decode()
    assert response.status_code == 200
    assert "The file was not imported" in text and "Nothing has been changed" in text
    assert (
        f"framework.version: version &#x27;{lower}&#x27; of &#x27;numbered&#x27; is not higher "
        "than &#x27;1.0.0&#x27;, the highest version so far; give the file a higher version "
        "number" in text
    )
    assert counts() == before


@pytest.mark.django_db
def test_upload_of_a_version_that_exists_names_the_highest(editor_client):
    make_version(slug="numbered", version="1.0.0")
    make_version(slug="numbered", version="2.0.0", publish=False)
    before = counts()
    text = _upload(editor_client, make_spec(slug="numbered", version="1.0.0")).content.decode()
    assert (
        "framework.version: version &#x27;1.0.0&#x27; of &#x27;numbered&#x27; already exists; "
        "give the file a version number higher than &#x27;2.0.0&#x27;, the highest so far" in text
    )
    assert counts() == before


@pytest.mark.django_db
def test_upload_of_1_10_after_1_9_is_accepted(editor_client):
    make_version(slug="numbered", version="1.9.0")
    response = _upload(editor_client, make_spec(slug="numbered", version="1.10.0"))
    assert response.status_code == 302
    assert FrameworkVersion.objects.get(framework__slug="numbered", version="1.10.0").is_published


@pytest.mark.django_db
def test_new_draft_numbered_not_higher_is_a_form_error_and_creates_nothing(editor_client):
    published = make_version(slug="numbered", version="1.0.0")
    make_version(slug="numbered", version="2.0.0", publish=False)
    before = counts()
    for lower in ("1.5.0", "2.0", "2"):
        response = editor_client.submit(
            version_url(published, "frameworks:new_draft"), {"version": lower}
        )
        text = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in text
        assert "Enter a version number higher than 2.0.0, the highest version so far" in text
    assert counts() == before
    response = editor_client.submit(
        version_url(published, "frameworks:new_draft"), {"version": "2.0.1"}
    )
    assert response.status_code == 302
    assert FrameworkVersion.objects.filter(framework=published.framework, version="2.0.1").exists()


@pytest.mark.django_db
def test_new_draft_form_names_the_highest_when_the_number_exists(editor_client):
    published = make_version(slug="numbered", version="1.0.0")
    text = editor_client.submit(
        version_url(published, "frameworks:new_draft"), {"version": "1.0.0"}
    ).content.decode()
    assert "Version 1.0.0 already exists; enter a version number higher than 1.0.0" in text


@pytest.mark.django_db
def test_new_draft_service_refuses_1_0_after_1_0_0(editor):
    published = make_version(slug="numbered", version="1.0.0")
    before = counts()
    with pytest.raises(services.FrameworkVersionNotHigher) as exc:
        services.framework_version_create_draft(
            framework=published.framework, version="1.0", clone_from=published, user=editor
        )
    assert str(exc.value) == (
        "Version 1.0 is not higher than 1.0.0, the highest version of Framework numbered so far"
    )
    assert exc.value.highest == "1.0.0"
    assert counts() == before


# --- Ordering wherever "newest" is decided ---------------------------------------------------


@pytest.mark.django_db
def test_framework_pages_list_versions_by_number_not_by_creation(client):
    """Versions made before numbers had to rise (or by hand) still list highest first."""
    made = [make_version(slug="numbered", version=v) for v in ("1.2.0", "1.9.0", "1.10.0")]
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for n, version in enumerate(("1.10.0", "1.2.0", "1.9.0")):  # 1.9.0 made last
        FrameworkVersion.objects.filter(version=version).update(
            created_at=start + datetime.timedelta(days=n)
        )
    page = client.get(reverse("frameworks:framework", args=["numbered"])).content.decode()
    rows = [page.index(f">{v}</a>") for v in ("1.10.0", "1.9.0", "1.2.0")]
    assert rows == sorted(rows)
    catalogue = client.get(reverse("frameworks:catalogue")).content.decode()
    # The card's title links to the current version: the highest published one.
    assert f'href="{made[2].get_absolute_url()}">Framework numbered</a></h2>' in catalogue


@pytest.mark.django_db
def test_library_load_leaves_a_framework_alone_when_a_higher_version_exists():
    path = LIBRARY_DIR / "seven-tribes-of-digital" / "1.0.0.yaml"
    spec = library_spec(path)
    make_version(slug=spec.slug, version="9.0.0")
    before = counts()
    results = library_load()
    assert {r.outcome for r in results if r.spec.slug == spec.slug} == {"superseded"}
    assert not FrameworkVersion.objects.filter(framework__slug=spec.slug).exclude(version="9.0.0")
    others = [r for r in results if r.spec.slug != spec.slug]
    assert {r.outcome for r in others} == {"loaded"}
    assert FrameworkVersion.objects.exclude(framework__slug=spec.slug).count() == len(others)
    assert counts()[1] == before[1] + len(others)
