"""Framework files nested absurdly deep are refused before they are built into Python objects.

libyaml's composer recurses once per level in C: a 60 KB file of 30,000 nested brackets (or
dashes) overflows the C stack and the worker process dies with a segmentation fault. Deep JSON
raises RecursionError (a 500). Each is now refused with a message naming the line.

The first test parses in a subprocess, so on code without the check it fails instead of killing
the test run; the in-process tests that would crash use the `yaml_depth_checked` fixture, which
runs that same probe first.
"""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from frameworks.fileformat import MAX_DEPTH, FrameworkFileError, dump_framework, load_document
from frameworks.models import Framework, FrameworkVersion
from maturity.audit.models import AuditEvent
from tests.factories import make_spec, make_version

LEVELS = 30_000
HOSTILE_YAML = {
    "flow-lists": "[" * LEVELS + "]" * LEVELS,  # 60 KB, as in the report
    "block-lists": "- " * LEVELS + "x\n",
    "flow-mappings": "{a: " * LEVELS + "1" + "}" * LEVELS,
}
HOSTILE_JSON = "[" * LEVELS + "]" * LEVELS
ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
from frameworks.fileformat import FrameworkFileError, load_document
try:
    load_document(sys.stdin.buffer.read(), filename=sys.argv[1], max_bytes=10**7)
except FrameworkFileError as exc:
    print(exc)
"""


def parse_in_a_subprocess(text: str, filename: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE, filename],
        input=text.encode(),
        cwd=ROOT,
        capture_output=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("shape", HOSTILE_YAML)
def test_deep_yaml_is_refused_without_crashing_the_process(shape):
    result = parse_in_a_subprocess(HOSTILE_YAML[shape], "deep.yaml")
    assert result.returncode == 0, f"the parser killed the process (exit {result.returncode})"
    assert f"more than {MAX_DEPTH} levels deep" in result.stdout.decode()
    assert "line 1" in result.stdout.decode()


@pytest.fixture(scope="module")
def yaml_depth_checked():
    """Fail, rather than crash the whole run, where deep YAML still reaches the composer."""
    result = parse_in_a_subprocess(HOSTILE_YAML["flow-lists"], "deep.yaml")
    if result.returncode != 0:
        pytest.fail(f"deep YAML killed a parsing process (exit {result.returncode})")


def test_deep_json_is_refused_with_its_line():
    text = '{"framework":\n' + "[" * 60 + "]" * 60 + "}"
    with pytest.raises(FrameworkFileError) as caught:
        load_document(text.encode(), filename="deep.json", max_bytes=10**6)
    assert caught.value.messages == [
        f"The file nests lists or mappings more than {MAX_DEPTH} levels deep (line 2, column "
        f"{MAX_DEPTH}); a framework file needs no more than 7"
    ]


def test_deep_json_of_the_hostile_size_is_refused():
    with pytest.raises(FrameworkFileError, match="levels deep"):
        load_document(HOSTILE_JSON.encode(), filename="deep.json", max_bytes=10**6)


def test_deep_yaml_is_refused_with_its_line(yaml_depth_checked):
    text = "framework:\n  dimensions: " + "[" * 60 + "]" * 60 + "\n"
    with pytest.raises(FrameworkFileError) as caught:
        load_document(text.encode(), filename="deep.yaml", max_bytes=10**6)
    assert caught.value.messages == [
        f"The file nests lists or mappings more than {MAX_DEPTH} levels deep (line 2, column "
        f"{MAX_DEPTH - 2 + 15}); a framework file needs no more than 7"
    ]


def test_brackets_inside_text_do_not_count_as_nesting(yaml_depth_checked):
    deep_text = "[" * 200 + "{" * 200
    assert load_document(
        ('{"note": "' + deep_text + '"}').encode(), filename="f.json", max_bytes=10**6
    ) == {"note": deep_text}
    assert load_document(f"note: '{deep_text}'\n".encode(), filename="f.yaml", max_bytes=10**6) == {
        "note": deep_text
    }


def test_nesting_at_the_limit_is_read():
    nested = []
    for _ in range(MAX_DEPTH - 1):
        nested = [nested]
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    for name in ("f.json", "f.yaml"):
        assert load_document(text.encode(), filename=name, max_bytes=10**6) == nested


def test_a_real_framework_file_is_well_inside_the_limit():
    for fmt in ("yaml", "json"):
        text = dump_framework(make_spec(), fmt)
        assert load_document(text.encode(), filename=f"f.{fmt}", max_bytes=10**6)


def _counts():
    return (Framework.objects.count(), FrameworkVersion.objects.count(), AuditEvent.objects.count())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        *((f"{shape}.yaml", text) for shape, text in HOSTILE_YAML.items()),
        ("deep.json", HOSTILE_JSON),
    ],
)
def test_uploading_a_deep_file_is_refused_and_changes_nothing(
    yaml_depth_checked, editor_client, name, content
):
    make_version(slug="already-here")
    before = _counts()
    response = editor_client.submit(
        reverse("frameworks:import"), {"file": SimpleUploadedFile(name, content.encode())}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "The file was not imported" in text
    assert f"more than {MAX_DEPTH} levels deep (line 1" in text
    assert _counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_the_import_command_refuses_a_deep_file(yaml_depth_checked, tmp_path, suffix):
    path = tmp_path / f"deep.{suffix}"
    path.write_text(HOSTILE_JSON)  # flow-style lists are valid YAML too
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_framework", str(path), stderr=err)
    assert f"more than {MAX_DEPTH} levels deep" in err.getvalue()
    assert not Framework.objects.exists()
