"""Framework pages: catalogue, version ladder, downloads, and the editor-only pages."""

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from frameworks.builtin import library_load
from frameworks.fileformat import dump_framework
from frameworks.models import Framework, FrameworkVersion, Question
from maturity.audit.models import AuditEvent
from tests.factories import make_spec, make_version

pytestmark = pytest.mark.django_db


def version_url(fv, name="frameworks:version"):
    return reverse(name, kwargs={"slug": fv.framework.slug, "version": fv.version})


def test_catalogue_lists_the_four_builtin_frameworks(client):
    library_load()
    page = client.get(reverse("frameworks:catalogue"))
    assert page.status_code == 200
    text = page.content.decode()
    for name in (
        "Lenses of digital",
        "Data, systems and technology layers",
        "Person-centred and persistent delivery",
        "Delivery and governance",
    ):
        assert name in text
    assert text.count("Published</strong>") == 4
    assert "8 dimensions, 24 questions" in text  # the lens framework's newest version


def test_catalogue_hides_drafts_from_everyone_but_editors(client, editor_client):
    make_version(slug="secret-draft", publish=False)
    make_version(slug="public-one", publish=True)
    anonymous = client.get(reverse("frameworks:catalogue")).content.decode()
    assert "Framework public-one" in anonymous and "secret-draft" not in anonymous
    edited = editor_client.get(reverse("frameworks:catalogue")).content.decode()
    assert "Framework secret-draft" in edited
    assert "Create a new framework" in edited


def test_draft_version_page_is_404_for_non_editors(client, user_client):
    draft = make_version(publish=False)
    assert user_client.get(version_url(draft)).status_code == 404
    assert user_client.get(version_url(draft, "frameworks:download_yaml")).status_code == 404


def test_version_page_shows_the_whole_ladder(client):
    fv = make_version(dimensions=2, questions=2)
    page = client.get(version_url(fv))
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("<h1") == 1
    for d in (1, 2):
        assert f"Dimension {d}" in text
        for q in (1, 2):
            assert f"Question {q} of dimension {d}?" in text
            for level in range(1, 6):
                assert f"D{d} Q{q} at level {level}." in text
            for level in range(1, 5):
                assert f"Move D{d} Q{q} up from {level}." in text
    assert "Layer: Data" in text
    # Dimension weights 1 and 2 make shares of 33% and 67%.
    assert "33%" in text and "67%" in text
    assert "Top of the scale" in text


def test_builtin_version_page_shows_descriptors(client):
    library_load()
    fv = FrameworkVersion.objects.get(framework__slug="data-systems-technology", version="2.0.0")
    question = Question.objects.filter(dimension__framework_version=fv).first()
    text = client.get(version_url(fv)).content.decode()
    for level in question.levels.all():
        # Django escapes apostrophes; compare escaped.
        from django.utils.html import escape

        assert escape(level.descriptor) in text


@pytest.mark.parametrize(("name", "fmt"), [("download_yaml", "yaml"), ("download_json", "json")])
def test_download_gives_the_file(client, name, fmt):
    fv = make_version()
    response = client.get(version_url(fv, f"frameworks:{name}"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="test-framework-1.0.0.{fmt}"'
    body = response.content.decode()
    assert body == dump_framework(make_spec(), fmt)
    assert yaml.safe_load(body)["framework"]["slug"] == "test-framework"


EDITOR_PAGES = [
    ("frameworks:import", False),
    ("frameworks:create", False),
    ("frameworks:new_draft", True),
    ("frameworks:publish", True),
    ("frameworks:retire", True),
]


@pytest.mark.parametrize(("name", "needs_version"), EDITOR_PAGES)
def test_editor_pages_refuse_others(client, user, name, needs_version):
    fv = make_version(publish=True)
    url = version_url(fv, name) if needs_version else reverse(name)
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    client.force_login(user)
    assert client.get(url).status_code == 403
    token = client.cookies.get("csrftoken")
    response = client.post(url, {"csrfmiddlewaretoken": token.value if token else ""})
    assert response.status_code == 403
    assert FrameworkVersion.objects.get(pk=fv.pk).status == "published"


def test_upload_a_good_file_publishes_it(editor_client, editor):
    content = dump_framework(make_spec(slug="uploaded"), "yaml").encode()
    response = editor_client.submit(
        reverse("frameworks:import"),
        {"file": SimpleUploadedFile("uploaded.yaml", content), "publish": "on"},
    )
    fv = FrameworkVersion.objects.get(framework__slug="uploaded")
    assert response.status_code == 302 and response["Location"] == fv.get_absolute_url()
    assert fv.is_published and fv.created_by == editor
    page = editor_client.get(fv.get_absolute_url()).content.decode()
    assert "Framework uploaded version 1.0.0 was published." in page


def test_upload_a_bad_file_shows_every_problem_and_changes_nothing(editor_client):
    make_version(slug="existing")
    bad = (
        dump_framework(make_spec(slug="bad"), "yaml")
        .replace("D1 Q2 at level 4.", "")
        .replace("weight: 2.0\n  questions", "weight: 0\n  questions")
    )
    before = (Framework.objects.count(), Question.objects.count(), AuditEvent.objects.count())
    response = editor_client.submit(
        reverse("frameworks:import"),
        {"file": SimpleUploadedFile("bad.yaml", bad.encode())},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "The file was not imported" in text
    assert "dimensions[0].questions[1].levels: the descriptor for level 4 is empty" in text
    assert "Nothing has been changed" in text
    assert (
        Framework.objects.count(),
        Question.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_upload_refuses_other_file_types(editor_client):
    response = editor_client.submit(
        reverse("frameworks:import"),
        {"file": SimpleUploadedFile("framework.docx", b"PK\x03\x04")},
    )
    assert response.status_code == 200
    assert "The selected file must be a .yaml, .yml or .json file" in response.content.decode()
    assert not Framework.objects.exists()


def test_upload_without_a_file_says_what_to_do(editor_client):
    response = editor_client.submit(reverse("frameworks:import"), {})
    text = response.content.decode()
    assert "Select a framework file to upload" in text
    assert 'href="#id_file"' in text


def test_create_a_framework_then_publish_is_refused_until_complete(editor_client):
    response = editor_client.submit(
        reverse("frameworks:create"),
        {"name": "Cyber resilience", "slug": "cyber-resilience", "description": "Staying up."},
    )
    draft = FrameworkVersion.objects.get(framework__slug="cyber-resilience")
    assert response["Location"] == draft.get_absolute_url()
    assert draft.version == "0.1.0" and draft.is_draft
    publish_url = version_url(draft, "frameworks:publish")
    page = editor_client.get(publish_url).content.decode()
    assert "This draft cannot be published yet" in page
    assert "A framework needs at least one dimension; add one." in page
    assert "Publish this version" not in page


def test_create_refuses_a_taken_or_bad_slug(editor_client):
    make_version(slug="taken")
    text = editor_client.submit(
        reverse("frameworks:create"), {"name": "X", "slug": "taken"}
    ).content.decode()
    assert "A framework with this short name already exists" in text
    text = editor_client.submit(
        reverse("frameworks:create"), {"name": "X", "slug": "Bad Slug"}
    ).content.decode()
    assert "Short name must use only lower-case letters" in text


def test_new_draft_then_publish(editor_client):
    published = make_version(publish=True)
    response = editor_client.submit(
        version_url(published, "frameworks:new_draft"), {"version": "1.1.0"}
    )
    draft = FrameworkVersion.objects.get(framework=published.framework, version="1.1.0")
    assert response["Location"] == draft.get_absolute_url()
    response = editor_client.submit(version_url(draft, "frameworks:publish"), {})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    # Numbers already taken are refused.
    text = editor_client.submit(
        version_url(published, "frameworks:new_draft"), {"version": "1.1.0"}
    ).content.decode()
    assert "Version 1.1.0 already exists; enter a version number higher than 1.1.0" in text


def test_retire(editor_client):
    fv = make_version(publish=True)
    editor_client.submit(version_url(fv, "frameworks:retire"), {})
    fv.refresh_from_db()
    assert fv.status == "retired"


def test_unknown_framework_is_404(client):
    assert client.get("/frameworks/nope/").status_code == 404
    assert client.get("/frameworks/nope/1.0.0/").status_code == 404


def _count_queries(django_assert_num_queries, client, url, expected):
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


CATALOGUE_QUERIES = 1  # anonymous: one query for the versions with their counts


def test_catalogue_query_count_is_the_same_for_one_and_many(client, django_assert_num_queries):
    make_version(slug="only-one")
    _count_queries(django_assert_num_queries, client, "/frameworks/", CATALOGUE_QUERIES)
    for i in range(8):
        make_version(slug=f"more-{i}")
    _count_queries(django_assert_num_queries, client, "/frameworks/", CATALOGUE_QUERIES)


VERSION_QUERIES = 11  # version, then its content: levels, facets, values, dimensions, questions, levels, tags, tag facets, crosswalk links


def test_version_page_query_count_is_the_same_for_small_and_large(
    client, django_assert_num_queries
):
    small = make_version(slug="small", dimensions=1, questions=1)
    _count_queries(django_assert_num_queries, client, version_url(small), VERSION_QUERIES)
    large = make_version(slug="large", dimensions=8, questions=25)
    _count_queries(django_assert_num_queries, client, version_url(large), VERSION_QUERIES)
