"""A framework version as a spreadsheet: download, edit, upload, with the file format's rules."""

import dataclasses
import datetime
import io
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from openpyxl import Workbook, load_workbook

from frameworks.builtin import library_load
from frameworks.fileformat import (
    FacetSpec,
    FacetValueSpec,
    FrameworkFileError,
    LinkSpec,
    dump_framework,
)
from frameworks.models import FrameworkVersion
from frameworks.selectors import framework_version_spec
from frameworks.services import framework_version_import
from frameworks.spreadsheet import framework_xlsx, parse_workbook
from maturity.audit.models import AuditEvent
from maturity.spreadsheets import FORMULA_STARTS
from tests.factories import make_spec, make_version
from tests.frameworks.test_roundtrip import specs


def read(content: bytes):
    return parse_workbook(content, max_bytes=settings.FRAMEWORK_FILE_MAX_BYTES).spec


def problems_of(content: bytes) -> list[str]:
    with pytest.raises(FrameworkFileError) as caught:
        read(content)
    return caught.value.messages


def opened(content: bytes):
    return load_workbook(io.BytesIO(content))


def saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def column(sheet, heading: str) -> int:
    return next(cell.column for cell in sheet[1] if cell.value == heading)


def edited(content: bytes, *changes: tuple[str, int, str, object]) -> bytes:
    """The workbook with cells changed: (sheet, row, column heading, new value)."""
    workbook = opened(content)
    for title, row, heading, value in changes:
        sheet = workbook[title]
        sheet.cell(row=row, column=column(sheet, heading)).value = value
    return saved(workbook)


def upload(client, content: bytes, name="framework.xlsx", **data):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.submit(reverse("frameworks:import"), {"file": file, **data})


def version_url(fv, name="frameworks:version"):
    return reverse(name, kwargs={"slug": fv.framework.slug, "version": fv.version})


# --- Round trips -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_builtin_frameworks_round_trip_through_a_spreadsheet_and_the_database():
    library_load()
    for fv in FrameworkVersion.objects.order_by("pk"):
        original = framework_version_spec(framework_version=fv)
        reread = read(framework_xlsx(original))
        assert reread == original
        copy = framework_version_import(spec=dataclasses.replace(reread, version=f"9.9.{fv.pk}"))
        assert framework_version_spec(framework_version=copy) == dataclasses.replace(
            original, version=f"9.9.{fv.pk}"
        )


def _crosswalked(spec):
    """Version 2.0.0 of make_spec, every kind of crosswalk entry on its six questions."""
    links = [
        (LinkSpec("1.0.0", "d1-q1", "same"),),
        (LinkSpec("1.0.0", "d1-q2", "reworded"),),
        (LinkSpec("1.0.0", "d1-q3", "split-from"),),
        (LinkSpec("1.0.0", "d2-q1", "merged-from"), LinkSpec("1.0.0", "d2-q2", "merged-from")),
        (),
        None,
    ]
    links = iter(links)
    return dataclasses.replace(
        spec,
        version="2.0.0",
        dimensions=tuple(
            dataclasses.replace(
                d,
                questions=tuple(
                    dataclasses.replace(q, derived_from=next(links)) for q in d.questions
                ),
            )
            for d in spec.dimensions
        ),
    )


@pytest.mark.django_db
def test_the_crosswalk_survives_yaml_then_database_then_spreadsheet_then_database(editor_client):
    first, second = make_spec(), _crosswalked(make_spec())
    for spec in (first, second):
        response = upload(
            editor_client, dump_framework(spec, "yaml").encode(), "f.yaml", publish="on"
        )
        assert response.status_code == 302
    v2 = FrameworkVersion.objects.get(version="2.0.0")
    assert framework_version_spec(framework_version=v2) == second

    download = editor_client.get(version_url(v2, "frameworks:download_xlsx"))
    assert download.status_code == 200
    assert read(download.content) == second
    cell = opened(download.content)["Questions"]["P5"]
    assert cell.value == "merged from d2-q1 in 1.0.0\nmerged from d2-q2 in 1.0.0"

    response = upload(editor_client, edited(download.content, ("Framework", 5, "Value", "3.0.0")))
    v3 = FrameworkVersion.objects.get(version="3.0.0")
    assert response["Location"] == v3.get_absolute_url()
    assert v3.is_draft
    assert framework_version_spec(framework_version=v3) == dataclasses.replace(
        second, version="3.0.0"
    )


def _sheet_safe(spec):
    """Weights to 12 significant digits (openpyxl writes 16; Excel keeps 15), and no XML
    non-characters (U+FFFE, U+FFFF), which no XLSX file can hold."""
    if "\ufffe" in repr(spec) or "\uffff" in repr(spec):
        return None

    def w(value):
        return float(f"{value:.12g}")

    return dataclasses.replace(
        spec,
        facets=tuple(
            dataclasses.replace(
                f, values=tuple(dataclasses.replace(v, weight=w(v.weight)) for v in f.values)
            )
            for f in spec.facets
        ),
        dimensions=tuple(
            dataclasses.replace(
                d,
                weight=w(d.weight),
                questions=tuple(dataclasses.replace(q, weight=w(q.weight)) for q in d.questions),
            )
            for d in spec.dimensions
        ),
    )


@hsettings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(spec=specs().map(_sheet_safe).filter(bool))
def test_any_valid_spec_round_trips_through_a_spreadsheet(spec):
    assert read(framework_xlsx(spec)) == spec


# --- Safe to open, pleasant to edit -------------------------------------------------------------

FORMULA_LIKE = [
    '=HYPERLINK("http://evil.example","Click")',
    "+44 20 7946 0000",
    "-1 means not started",
    "@SUM(A1)",
    "'=already quoted",
    "'a quoted word",
]


def test_text_that_looks_like_a_formula_is_written_as_text_and_read_back_as_typed():
    spec, texts = make_spec(), iter(FORMULA_LIKE)
    spec = dataclasses.replace(
        spec,
        description=FORMULA_LIKE[0],
        dimensions=tuple(
            dataclasses.replace(
                d, questions=tuple(dataclasses.replace(q, text=next(texts)) for q in d.questions)
            )
            for d in spec.dimensions
        ),
    )
    content = framework_xlsx(spec)
    workbook = opened(content)
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), cell.value
                    texts.append(cell.value)
    assert "'" + FORMULA_LIKE[0] in texts and "''=already quoted" in texts
    assert "'a quoted word" in texts
    assert read(content) == spec


def test_a_control_character_no_spreadsheet_can_hold_is_left_out_not_a_failed_download():
    spec = dataclasses.replace(make_spec(), description="Bell\x07 and tab\x0b")
    assert read(framework_xlsx(spec)) == dataclasses.replace(spec, description="Bell and tab")


def test_a_level_label_on_two_lines_still_heads_its_column():
    spec = make_spec()
    levels = (dataclasses.replace(spec.levels[0], label="Initial\nstage"), *spec.levels[1:])
    spec = dataclasses.replace(spec, levels=levels)
    assert read(framework_xlsx(spec)) == spec


def test_a_number_typed_as_text_is_read_as_the_number():
    content = edited(
        framework_xlsx(make_spec()), ("Questions", 2, "Weight", "2.5"), ("Scale", 2, "Value", "1")
    )
    spec = read(content)
    assert spec.dimensions[0].questions[0].weight == 2.5 and spec.levels[0].value == 1


def test_the_workbook_explains_itself_and_keeps_its_headings_in_view():
    workbook = opened(framework_xlsx(make_spec()))
    assert workbook.sheetnames == [
        "Instructions",
        "Framework",
        "Scale",
        "Facets",
        "Facet values",
        "Dimensions",
        "Questions",
    ]
    instructions = " ".join(str(c.value) for c in workbook["Instructions"]["A"])
    assert "reworded from data-ownership in 1.0.0" in instructions
    assert "formula" in instructions
    questions = workbook["Questions"]
    assert [c.value for c in questions[1]] == [
        "Dimension",
        "Slug",
        "Text",
        "Help",
        "Weight",
        "Tag: layer",
        "Level 1: Initial",
        "Level 2: Emerging",
        "Level 3: Defined",
        "Level 4: Embedded",
        "Level 5: Leading",
        "Recommendation from level 1",
        "Recommendation from level 2",
        "Recommendation from level 3",
        "Recommendation from level 4",
        "Derived from",
    ]
    assert questions.freeze_panes == "C2"
    assert questions["C2"].alignment.wrap_text
    assert questions.column_dimensions["C"].width == 50
    assert questions["C1"].font.b
    for title in ("Framework", "Scale", "Facets", "Facet values", "Dimensions"):
        assert workbook[title].freeze_panes == "B2"
    # Typed entries stay text in the spreadsheet: "1.10" would otherwise become 1.1.
    assert workbook["Framework"]["B4"].number_format == "@"


def test_every_top_level_field_and_facet_field_of_the_file_has_its_place_in_the_workbook():
    spec = dataclasses.replace(
        make_spec(), source={"seeds": ["One seed"], "references": ["A", "B"]}
    )
    document = spec.to_document()
    workbook = opened(framework_xlsx(spec))
    labels = [row[0] for row in workbook["Framework"].iter_rows(min_row=2, values_only=True)]
    for key in document["framework"]:
        if key in ("scale", "facets", "dimensions"):
            continue
        label = key.replace("_", " ").capitalize()
        assert any(str(found).startswith(label) for found in labels), key
    assert labels.count("Source: references (list)") == 2
    facet_headings = [c.value for c in workbook["Facets"][1]]
    for key in document["framework"]["facets"][0]:
        if key != "values":
            assert key.replace("_", " ").capitalize() in facet_headings
    assert read(saved(workbook)) == spec


def test_the_licence_publisher_date_and_layer_axis_travel_through_the_workbook():
    layer = make_spec().facets[0]
    lens = FacetSpec("lens", "Lens", "Whose view.", (FacetValueSpec("staff", "Staff", 1.0),))
    spec = dataclasses.replace(
        make_spec(),
        licence="Open Government Licence v3.0",
        publisher="Sorrelden City Council",
        publication_date=datetime.date(2026, 3, 1),
        facets=(lens, dataclasses.replace(layer, layer_axis=True)),
    )
    content = framework_xlsx(spec)
    workbook = opened(content)
    details = dict(workbook["Framework"].iter_rows(min_row=2, values_only=True))
    assert details["Licence"] == "Open Government Licence v3.0"
    assert details["Publisher"] == "Sorrelden City Council"
    assert details["Publication date"] == "2026-03-01"
    facets = list(workbook["Facets"].values)
    assert facets[0] == ("Slug", "Name", "Description", "Layer axis")
    assert [row[3] for row in facets[1:]] == [None, True]
    assert read(content) == spec
    # A date typed into the spreadsheet is a date cell, not text; it reads back the same.
    date_row = list(details).index("Publication date") + 2
    workbook["Framework"].cell(row=date_row, column=2).value = datetime.datetime(2026, 3, 1)
    assert read(saved(workbook)) == spec


# --- Problems named by sheet, row and column ----------------------------------------------------


def test_problems_in_a_sheet_are_named_by_sheet_row_and_column():
    content = edited(
        framework_xlsx(make_spec()),
        ("Framework", 4, "Value", ""),
        ("Scale", 3, "Label", None),
        ("Dimensions", 2, "Weight", "heavy"),
        ("Questions", 3, "Level 3: Defined", None),
        ("Questions", 4, "Slug", "Bad Slug"),
        ("Questions", 5, "Weight", -1),
        ("Questions", 6, "Tag: layer", "cloud"),
        ("Questions", 7, "Slug", "d1-q1"),
    )
    problems = problems_of(content)
    assert "Framework sheet, row 4, column B (Name): must not be empty" in problems
    assert "Scale sheet, row 3, column B (Label): must not be empty" in problems
    assert any(p.startswith("Dimensions sheet, row 2, column D (Weight): ") for p in problems)
    assert (
        "Questions sheet, row 3, column I (Level 3: Defined): no descriptor for level 3" in problems
    )
    assert any(
        p.startswith("Questions sheet, row 4, column B (Slug): 'Bad Slug' is not a valid slug")
        for p in problems
    )
    assert "Questions sheet, row 5, column E (Weight): must be greater than 0, found -1" in problems
    assert any(
        p.startswith("Questions sheet, row 6, column F (Tag: layer): unknown value 'cloud'")
        for p in problems
    )
    assert (
        "Questions sheet, row 7, column B (Slug): 'd1-q1' is already used by Questions sheet, "
        "row 2" in problems
    )
    assert len(problems) == 8, problems


def test_an_unknown_column_is_named_with_the_field_it_would_set():
    workbook = opened(framework_xlsx(make_spec()))
    sheet = workbook["Questions"]
    sheet["Q1"], sheet["Q2"] = "Colour", "blue"
    (problem,) = problems_of(saved(workbook))
    assert problem.startswith("Questions sheet, row 2, column Q (Colour): unknown field 'colour'")


def test_a_formula_in_an_uploaded_workbook_is_refused():
    content = edited(framework_xlsx(make_spec()), ("Questions", 3, "Text", '="What"&" now?"'))
    assert problems_of(content) == [
        "Questions sheet, row 3, column C (Text): holds a formula; type the value itself (copy "
        "the cell and paste it back as values only)"
    ]


def test_the_sheet_layout_problems_are_named_before_the_rules_are_checked():
    workbook = opened(framework_xlsx(make_spec()))
    questions = workbook["Questions"]
    questions["A3"] = "no-such-dimension"
    questions["P4"] = "copied from d1-q1"
    questions["R5"] = "a stray note"
    workbook["Facet values"]["A2"] = "colour"
    assert problems_of(saved(workbook)) == [
        "Questions sheet, row 5, column R: has a value but its column has no heading; give the "
        "column a heading or move the value",
        "Facet values sheet, row 2, column A (Facet): no facet 'colour' on the Facets sheet",
        "Questions sheet, row 3, column A (Dimension): no dimension 'no-such-dimension' on the "
        "Dimensions sheet",
        "Questions sheet, row 4, column P (Derived from): 'copied from d1-q1' is not a crosswalk "
        "entry: write one line for each earlier question, like 'reworded from data-ownership in "
        "1.0.0' (or same as, split from, merged from), or 'new' for a question with no ancestor",
    ]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _far_cell() -> bytes:
    workbook = opened(framework_xlsx(make_spec()))
    workbook["Questions"]["A5000"] = "far away"
    return saved(workbook)


BAD_WORKBOOKS = {
    "text": (b"slug: not a spreadsheet\n", "is not an Excel workbook (.xlsx)"),
    "old-excel": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old Excel format (.xls)"),
    "truncated": (framework_xlsx(make_spec())[:3000], "could not be read: it may be damaged"),
    "other-zip": (_zip({"content.xml": b"<office/>"}), "is not an Excel workbook (.xlsx)"),
    "zip-bomb": (
        _zip({"xl/workbook.xml": b"<", "xl/big.xml": b" " * (25 * 1024 * 1024)}),
        "The workbook unpacks to 25 MB, more than a framework needs (at most 20 MB)",
    ),
    "far-cell": (_far_cell(), "Questions sheet: has cells as far as row 5,000, column P"),
    "no-questions": (
        saved(Workbook()),
        "The workbook has no Framework, Scale, Dimensions or Questions sheet",
    ),
}


@pytest.mark.parametrize(("content", "message"), BAD_WORKBOOKS.values(), ids=BAD_WORKBOOKS.keys())
def test_a_workbook_that_cannot_be_read_gets_one_clear_message(content, message):
    (problem,) = problems_of(content)
    assert message in problem


def test_an_entity_expansion_bomb_in_a_sheet_is_refused():
    content = framework_xlsx(make_spec())
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    laughs = b'<!DOCTYPE x [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    laughs += b"".join(
        f'<!ENTITY {chr(99 + i)} "{("&" + chr(98 + i) + ";") * 10}">'.encode() for i in range(8)
    )
    sheet = "xl/worksheets/sheet7.xml"
    assert b"<t>d1-q1</t>" in entries[sheet]
    entries[sheet] = laughs + b"]>" + entries[sheet].replace(b"<t>d1-q1</t>", b"<t>&j;</t>", 1)
    (problem,) = problems_of(_zip(entries))
    assert "could not be read" in problem


# --- Through the pages -------------------------------------------------------------------------


@pytest.mark.django_db
def test_anyone_may_download_a_published_version_as_a_spreadsheet(client):
    fv = make_version()
    response = client.get(version_url(fv, "frameworks:download_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="test-framework-1.0.0.xlsx"'
    assert read(response.content) == make_spec()
    page = client.get(version_url(fv)).content.decode()
    assert version_url(fv, "frameworks:download_xlsx") in page


@pytest.mark.django_db
def test_a_drafts_spreadsheet_is_for_framework_editors_only(client, user_client, editor_client):
    draft = make_version(publish=False)
    url = version_url(draft, "frameworks:download_xlsx")
    assert client.get(url).status_code == 404
    assert user_client.get(url).status_code == 404
    assert read(editor_client.get(url).content) == make_spec()


@pytest.mark.django_db
def test_uploading_a_spreadsheet_makes_a_draft(editor_client):
    content = framework_xlsx(make_spec(slug="from-a-sheet"))
    page = editor_client.get(reverse("frameworks:import")).content.decode()
    assert "spreadsheet (.xlsx)" in page
    response = upload(editor_client, content)
    fv = FrameworkVersion.objects.get(framework__slug="from-a-sheet")
    assert response["Location"] == fv.get_absolute_url()
    assert fv.is_draft
    assert framework_version_spec(framework_version=fv) == make_spec(slug="from-a-sheet")
    assert AuditEvent.objects.filter(action="framework_version.import").count() == 1


@pytest.mark.django_db
def test_a_bad_spreadsheet_changes_nothing_and_names_its_cells(editor_client):
    content = edited(framework_xlsx(make_spec()), ("Questions", 3, "Level 3: Defined", None))
    response = upload(editor_client, content, publish="on")
    assert response.status_code == 200
    text = response.content.decode()
    assert "The file was not imported" in text
    assert "Questions sheet, row 3, column I (Level 3: Defined): no descriptor for level 3" in text
    assert not FrameworkVersion.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_an_ancestor_the_service_does_not_hold_is_named_by_its_cell(editor_client):
    make_version()
    content = edited(
        framework_xlsx(_crosswalked(make_spec())),
        ("Questions", 3, "Derived from", "reworded from d1-q2 in 0.9.0"),
        ("Questions", 4, "Derived from", "split from no-such-question in 1.0.0"),
    )
    response = upload(editor_client, content)
    assert response.status_code == 200
    text = response.content.decode()
    cell = "Questions sheet, row 3, column P (Derived from)"
    assert f"{cell}: Framework test-framework has no version 0.9.0" in text
    assert (
        "Questions sheet, row 4, column P (Derived from): version 1.0.0 has no question "
        "&#x27;no-such-question&#x27;" in text
    )
    assert list(FrameworkVersion.objects.values_list("version", flat=True)) == ["1.0.0"]


@pytest.mark.django_db
def test_the_import_form_refuses_other_kinds_of_file_by_name(editor_client):
    response = upload(editor_client, b"a,b\n", "framework.csv")
    assert "must be a .yaml, .yml or .json file, or an .xlsx spreadsheet" in (
        response.content.decode()
    )
    assert not FrameworkVersion.objects.exists()


@pytest.mark.django_db
def test_the_import_command_reads_a_spreadsheet_and_names_problems_by_cell(tmp_path):
    good = tmp_path / "framework.xlsx"
    good.write_bytes(framework_xlsx(make_spec()))
    out = io.StringIO()
    call_command("import_framework", str(good), "--publish", stdout=out)
    assert "Imported Framework test-framework 1.0.0 (6 questions in 2 dimensions)" in out.getvalue()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        edited(
            framework_xlsx(make_spec(version="2.0.0")), ("Questions", 3, "Level 3: Defined", None)
        )
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_framework", str(bad), stderr=err)
    assert "Questions sheet, row 3, column I (Level 3: Defined): no descriptor for level 3" in (
        err.getvalue()
    )
    assert FrameworkVersion.objects.count() == 1
