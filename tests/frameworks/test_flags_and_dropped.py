"""The flags a framework declares and the earlier questions it drops: in the file format (YAML,
JSON and the spreadsheet), checked where they are wrong, stored, and carried into a new draft."""

import dataclasses
import re

import pytest
from django.conf import settings

from frameworks.fileformat import (
    DroppedSpec,
    FlagSpec,
    FrameworkFileError,
    LinkSpec,
    dump_framework,
    parse_framework,
)
from frameworks.models import FrameworkVersion
from frameworks.selectors import framework_version_spec
from frameworks.services import framework_version_create_draft, framework_version_import
from frameworks.spreadsheet import framework_xlsx, parse_workbook
from tests.factories import make_spec

ADOPTION = FlagSpec("technology-ahead-of-data", questions=("d1-q3", "d2-q2"))
LENSES = FlagSpec("lens-imbalance")


def problems(spec) -> list[str]:
    with pytest.raises(FrameworkFileError) as caught:
        parse_framework(dump_framework(spec, "json").encode(), filename="f.json", max_bytes=10**7)
    # Problems as places in the file's structure (the line and column are tested elsewhere).
    return [re.sub(r"^line \d+, column \d+: ", "", str(p)) for p in caught.value.problems]


def later(**changes):
    """Version 2.0.0, d1-q1 reworded from 1.0.0's d1-q1, the rest new."""
    spec = make_spec(version="2.0.0")
    first, *others = spec.dimensions
    q1, *rest = first.questions
    return dataclasses.replace(
        spec,
        dimensions=(
            dataclasses.replace(
                first,
                questions=(
                    dataclasses.replace(
                        q1,
                        derived_from=(LinkSpec("1.0.0", "d1-q1", "reworded"),),
                    ),
                    *rest,
                ),
            ),
            *others,
        ),
        **changes,
    )


def test_flags_and_dropped_questions_survive_yaml_json_and_the_spreadsheet():
    spec = dataclasses.replace(
        later(),
        flags=(LENSES, ADOPTION),
        dropped=(
            DroppedSpec("1.0.0", "d2-q1", "Now asked as part of d1-q1."),
            DroppedSpec("1.0.0", "d2-q2", "Nobody could show evidence for it: dropped."),
        ),
        source={"references": ["https://example.org"], "notes": ["Why 2.0.0 changed."]},
    )
    for fmt in ("yaml", "json"):
        text = dump_framework(spec, fmt)
        assert parse_framework(text.encode(), filename=f"f.{fmt}", max_bytes=10**7) == spec
    sheet = parse_workbook(framework_xlsx(spec), max_bytes=settings.FRAMEWORK_FILE_MAX_BYTES)
    assert sheet.spec == spec


def test_a_flag_is_refused_where_it_cannot_mean_anything():
    base = make_spec()
    assert problems(dataclasses.replace(base, flags=(LENSES, LENSES))) == [
        "framework.flags[1].code: lens-imbalance is declared twice"
    ]
    assert problems(dataclasses.replace(base, flags=(FlagSpec("technology-ahead-of-data"),))) == [
        "framework.flags[0]: name the questions that say how far new systems, automation or AI "
        "have been started, under questions:"
    ]
    assert problems(
        dataclasses.replace(
            base, flags=(FlagSpec("technology-ahead-of-data", questions=("nowhere", "d1-q1")),)
        )
    ) == [
        "framework.flags[0].questions[0]: no question 'nowhere' in this file",
        "framework.flags[0].questions[1]: 'd1-q1' is on the data layer, which the flag compares "
        "against; name questions about new systems, automation or AI",
    ]
    assert problems(dataclasses.replace(make_spec(with_facet=False), flags=(ADOPTION,))) == [
        "framework.flags[0]: needs a layer axis: declare a facet with layer_axis: true"
    ]
    assert problems(
        dataclasses.replace(base, flags=(FlagSpec("lens-imbalance", questions=("d1-q1",)),))
    ) == [
        "framework.flags[0].questions: lens-imbalance reads the dimensions; it takes no questions"
    ]
    assert problems(dataclasses.replace(make_spec(dimensions=1), flags=(LENSES,))) == [
        "framework.flags[0]: lens-imbalance compares dimensions; name at least two"
    ]
    assert problems(dataclasses.replace(base, flags=(FlagSpec("channel-shift"),))) == [
        "framework.flags[0].code: must be one of lens-imbalance, technology-ahead-of-data, "
        "found the text 'channel-shift'"
    ]


def test_a_dropped_question_is_refused_twice_or_when_it_is_also_an_ancestor():
    assert problems(
        later(
            dropped=(
                DroppedSpec("1.0.0", "d2-q1", "Reason."),
                DroppedSpec("1.0.0", "d2-q1", "Again."),
                DroppedSpec("1.0.0", "d1-q1", "Reworded, not dropped."),
                DroppedSpec("1.0.0", "d2-q2", "   "),
            )
        )
    ) == [
        "framework.dropped[1]: question 'd2-q1' of version 1.0.0 is listed twice",
        "framework.dropped[2]: question 'd1-q1' of version 1.0.0 is named in a question's "
        "derived_from, so it is not dropped",
        "framework.dropped[3].reason: say why the question is no longer asked",
    ]


def test_import_checks_that_dropped_questions_exist_and_stores_them(db):
    framework_version_import(spec=make_spec(), publish=True)
    with pytest.raises(FrameworkFileError) as caught:
        framework_version_import(
            spec=later(
                dropped=(DroppedSpec("0.9.0", "d2-q1", "R."), DroppedSpec("1.0.0", "gone", "R."))
            )
        )
    assert [str(p) for p in caught.value.problems] == [
        "framework.dropped[0].version: Framework test-framework has no version 0.9.0 earlier "
        "than 2.0.0 here; import that version first",
        "framework.dropped[1].question: version 1.0.0 has no question 'gone'",
    ]
    assert FrameworkVersion.objects.count() == 1
    spec = later(flags=(ADOPTION,), dropped=(DroppedSpec("1.0.0", "d2-q1", "Merged away."),))
    stored = framework_version_import(spec=spec, publish=True)
    assert framework_version_spec(framework_version=stored) == spec


def test_a_new_draft_keeps_the_flags_and_starts_with_nothing_dropped(db):
    framework_version_import(spec=make_spec(), publish=True)
    v2 = framework_version_import(
        spec=later(flags=(ADOPTION,), dropped=(DroppedSpec("1.0.0", "d2-q1", "Merged away."),)),
        publish=True,
    )
    draft = framework_version_create_draft(framework=v2.framework, version="3.0.0", clone_from=v2)
    spec = framework_version_spec(framework_version=draft)
    assert spec.flags == (ADOPTION,)
    assert spec.dropped == ()
