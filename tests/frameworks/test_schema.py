"""The JSON Schema of `maturity-framework/1`: kept in the repository, served at a stable public
address, and the same rules the service applies to the shape of a file.

The schema is checked here with jsonschema directly, not through the service's translation of
its errors, so these tests do not lean on the code they check.
"""

import dataclasses
import datetime
import json

import pytest
import yaml
from django.conf import settings
from django.urls import reverse
from jsonschema import Draft202012Validator

from frameworks.builtin import library_files
from frameworks.fileformat import (
    SCHEMA_PATH,
    FrameworkFileError,
    LinkSpec,
    dump_framework,
    load_document,
    parse_framework,
)
from tests.factories import UserFactory, make_spec
from tests.frameworks.test_bad_files import BAD_FILES

SCHEMA = json.loads(SCHEMA_PATH.read_text())
URL = "/frameworks/schema/maturity-framework-1.json"


def schema_errors(document) -> list[str]:
    validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [error.message for error in validator.iter_errors(document)]


def test_the_schema_is_a_valid_draft_2020_12_schema():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"].endswith(URL)


def test_the_schema_knows_every_field_the_format_has():
    framework = SCHEMA["$defs"]["framework"]["properties"]
    assert {"licence", "publisher", "publication_date", "source", "facets"} <= set(framework)
    assert "layer_axis" in SCHEMA["$defs"]["facet"]["properties"]
    question = SCHEMA["$defs"]["question"]["properties"]
    assert "derived_from" in question
    relation = question["derived_from"]["items"]["properties"]["relation"]
    assert relation["enum"] == ["same", "reworded", "split-from", "merged-from"]
    assert SCHEMA["required"] == ["format", "framework"]


def test_every_builtin_file_is_valid_against_the_schema():
    for path in library_files():
        document = yaml.safe_load(path.read_text())
        # YAML reads level keys as numbers; editors' tools (and JSON) see them as text.
        document = json.loads(json.dumps(document, default=str))
        assert schema_errors(document) == [], path.name


def test_an_exported_file_with_every_optional_field_is_valid_against_the_schema():
    spec = make_spec()
    first = spec.dimensions[0]
    spec = dataclasses.replace(
        spec,
        licence="Open Government Licence v3.0",
        publisher="Testshire Council",
        publication_date=datetime.date(2026, 4, 1),
        dimensions=(
            dataclasses.replace(
                first,
                questions=(
                    dataclasses.replace(
                        first.questions[0],
                        derived_from=(LinkSpec("0.9.0", "d1-q1", "reworded"),),
                    ),
                    dataclasses.replace(first.questions[1], derived_from=()),
                    *first.questions[2:],
                ),
            ),
            *spec.dimensions[1:],
        ),
    )
    document = json.loads(dump_framework(spec, "json"))
    assert document["framework"]["publication_date"] == "2026-04-01"
    assert document["framework"]["facets"][0]["layer_axis"] is True
    assert schema_errors(document) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [(name, content) for name, content, _ in BAD_FILES if isinstance(content, str)],
    ids=[name for name, content, _ in BAD_FILES if isinstance(content, str)],
)
def test_a_file_the_schema_refuses_is_refused_by_the_service(name, content):
    try:  # the service's safe reader: yaml.safe_load would expand the alias bomb
        document = load_document(content.encode(), filename="f.yaml", max_bytes=10**7)
    except FrameworkFileError:
        return  # not a document at all: the service says so itself (test_bad_files)
    if schema_errors(json.loads(json.dumps(document, default=str))):
        with pytest.raises(FrameworkFileError):
            parse_framework(content.encode(), filename="f.yaml", max_bytes=10**7)


# --- Served at a stable public address ---------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_is_served_to_anyone_as_schema_json(client):
    assert reverse("frameworks:schema") == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=86400"} <= cache
    served = json.loads(response.content)
    # The same schema, naming the address it was served from as its $id.
    assert served["$id"] == f"http://testserver{URL}"
    assert {**served, "$id": SCHEMA["$id"]} == SCHEMA


@pytest.mark.django_db
def test_the_schema_stays_publicly_cacheable_for_a_signed_in_editor(client):
    client.force_login(UserFactory(editor=True))
    response = client.get(URL)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]


@pytest.mark.django_db
def test_the_schema_address_answers_only_reads(client):
    assert client.head(URL).status_code == 200
    assert client.options(URL).status_code == 405


def test_the_service_refuses_what_the_schema_refuses_in_a_json_file():
    document = json.loads(dump_framework(make_spec(), "json"))
    document["framework"]["dimensions"][0]["questions"][0]["weight"] = "heavy"
    assert schema_errors(document)
    text = json.dumps(document)
    with pytest.raises(FrameworkFileError) as caught:
        parse_framework(
            text.encode(), filename="f.json", max_bytes=settings.FRAMEWORK_FILE_MAX_BYTES
        )
    assert caught.value.messages == [
        f"line 1, column {text.index('"heavy"') + 1}: dimensions[0].questions[0].weight: "
        "expected a number, found the text 'heavy'"
    ]


@pytest.mark.django_db
def test_the_upload_page_points_editors_at_the_schema(editor_client):
    page = editor_client.get(reverse("frameworks:import")).content.decode()
    assert f'href="{reverse("frameworks:schema")}"' in page
