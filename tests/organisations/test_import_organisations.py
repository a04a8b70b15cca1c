"""Importing organisation lists: good files create and update, bad files say where and change nothing."""

import io

import pytest
from django.core.management import CommandError, call_command

from maturity.audit.models import AuditEvent
from organisations.models import Organisation
from organisations.orgimport import (
    OrganisationFileError,
    organisation_parents,
    organisations_import,
    parse_organisations,
)
from tests.factories import OrganisationFactory, UserFactory

HEADER = "name,kind,region,code,size_band,parent_code"
# A is a district whose county (C) comes later in the file; B's county is already in the service.
ROW_A = "Ashmere District Council,district,south_east,E07000001,small,E10000099"
ROW_B = "Brackenford Borough Council,District council,South East,E07000002,Medium,E10000001"
ROW_C = "Quellshire County Council,county,south_east,E10000099,very_large,"
# An update to an organisation already in the service, which a bad file must not apply.
ROW_RENAME = "Oldshire Council (renamed),county,south_west,E10000001,large,"
GOOD = "\n".join([HEADER, ROW_A, ROW_B, ROW_C]) + "\n"


def bad(*rows, header=HEADER):
    """A file whose first rows are `rows` (line 2 onwards), then a valid update."""
    return "\n".join([header, *rows, ROW_RENAME]) + "\n"


@pytest.fixture
def existing(db):
    county = OrganisationFactory(
        name="Oldshire County Council",
        kind=Organisation.Kind.COUNTY,
        region=Organisation.Region.SOUTH_WEST,
        code="E10000001",
        size_band=Organisation.SizeBand.VERY_LARGE,
    )
    OrganisationFactory(name="Oldtown District Council", code="E07000900", parent=county)
    return county


def snapshot():
    return (
        list(
            Organisation.objects.order_by("code").values_list(
                "code", "name", "kind", "region", "size_band", "parent__code"
            )
        ),
        Organisation.objects.count(),
        AuditEvent.objects.count(),
    )


def _write(tmp_path, content, name="organisations.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def run(path):
    out = io.StringIO()
    call_command("import_organisations", str(path), stdout=out)
    return out.getvalue()


BAD_FILES = [
    (
        "unknown-kind",
        bad(ROW_A, ROW_C.replace(",county,", ",borough,")),
        "line 3, kind: 'borough' is not a kind of organisation (use one of: county, district, "
        "unitary, metropolitan, london_borough, nhs_trust",
    ),
    (
        "unknown-region",
        bad(ROW_A.replace("south_east", "Midlands"), ROW_C),
        "line 2, region: 'Midlands' is not a region (use one of: north_east, north_west",
    ),
    (
        "unknown-size-band",
        bad(ROW_A, ROW_C.replace("very_large", "huge")),
        "line 3, size_band: 'huge' is not a size band (use one of: small, medium, large, "
        "very_large)",
    ),
    (
        "missing-code",
        bad(ROW_C, ROW_A.replace("E07000001", "")),
        "line 3, code: missing",
    ),
    (
        "missing-name",
        bad(ROW_A.replace("Ashmere District Council", "  "), ROW_C),
        "line 2, name: missing",
    ),
    (
        "duplicate-code",
        bad(ROW_A, ROW_C, ROW_B.replace("E07000002", "E07000001")),
        "line 4, code: 'E07000001' appears twice (also on line 2)",
    ),
    (
        "unknown-parent",
        bad(ROW_A.replace("E10000099", "X1")),
        "line 2, parent_code: no organisation with code 'X1' in the file or the service",
    ),
    (
        "name-too-long",
        bad(ROW_A.replace("Ashmere District Council", "A" * 201), ROW_C),
        "line 2, name: is 201 characters long; the most allowed is 200",
    ),
    (
        "code-too-long",
        bad(ROW_C, ROW_B.replace("E07000002", "E" + "0" * 20)),
        f"line 3, code: 'E{'0' * 20}' is 21 characters long; the most allowed is 20",
    ),
    (
        "code-not-alphanumeric",
        bad(ROW_C, ROW_B.replace("E07000002", "E07-0002")),
        "line 3, code: 'E07-0002' may contain only letters and digits",
    ),
    (
        "own-parent",
        bad(ROW_C.replace("very_large,", "very_large,E10000099")),
        "line 2, parent_code: 'E10000099' cannot be its own parent",
    ),
    (
        "parent-loop-in-file",
        bad(ROW_A, ROW_C.replace("very_large,", "very_large,E07000001")),
        "line 2, parent_code: the parents go round in a loop: 'E07000001', which has parent "
        "'E10000099', which has parent 'E07000001' (see lines 2 and 3)",
    ),
    (
        "parent-loop-through-service",
        HEADER + "\nOldshire County Council,county,south_west,E10000001,very_large,E07000900\n",
        "line 2, parent_code: the parents go round in a loop: 'E10000001', which has parent "
        "'E07000900', which has parent 'E10000001' (see line 2)",
    ),
    (
        "header-missing-column",
        bad(
            "Ashmere District Council,district,E07000001,small,",
            header=HEADER.replace("region,", ""),
        ),
        "header: missing column 'region'",
    ),
    (
        "header-unknown-column",
        bad(ROW_C, header=HEADER.replace("region", "Region")),
        "header: unknown column 'Region' (the columns are: name, kind, region, code, "
        "size_band, parent_code)",
    ),
    (
        "header-column-twice",
        bad(ROW_C + ",", header=HEADER + ",name"),
        "header: column 'name' appears twice (columns 1 and 7)",
    ),
    ("empty", " \n\n", "The file is empty"),
    ("header-only", HEADER + "\n", "The file has a header row but no organisations"),
    (
        "wrong-number-of-values",
        bad(ROW_C, "Short Council,unitary,london,E06000001,small"),
        "line 3: has 5 values but the header has 6 columns",
    ),
    (
        "name-on-two-lines",
        bad(
            ROW_C,
            '"Two\nLines Council",unitary,london,E06000001,small,',
            ROW_B.replace("Medium", "medium-ish"),
        ),
        "line 3, name: must be one line of plain text",
    ),
    (
        "not-utf8",
        bad("Ashm\xe9re District Council,district,south_east,E07000001,small,").encode("latin-1"),
        "The file is not UTF-8 text (byte 0xe9 at position 48, on line 2)",
    ),
    (
        "over-size-cap",
        GOOD + "#" * (5 * 1024 * 1024),
        "The file is 5.1 MB; the largest allowed is 5 MB",
    ),
]


def test_there_are_at_least_ten_distinct_bad_files():
    assert len({expected for _, _, expected in BAD_FILES}) >= 10


@pytest.mark.parametrize(("name", "content", "expected"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_import_organisations_bad_file_is_refused_with_its_place_and_changes_nothing(
    existing, tmp_path, name, content, expected
):
    before = snapshot()
    path = _write(tmp_path, content)
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_organisations", str(path), stderr=err)
    assert f"{path}: {expected}" in err.getvalue()
    assert snapshot() == before


def test_import_organisations_line_numbers_count_quoted_line_breaks(existing, tmp_path):
    content = bad(
        ROW_C, '"Two\nLines Council",unitary,london,E06000001,small,', "X,y,london,Z1,small,"
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_organisations", str(_write(tmp_path, content)), stderr=err)
    assert "line 3, name: must be one line of plain text" in err.getvalue()
    assert "line 5, kind: 'y' is not a kind of organisation" in err.getvalue()


def test_import_organisations_reports_every_problem_at_once_in_line_order(existing, tmp_path):
    content = bad(
        ROW_A.replace("E10000099", "X1"),
        ROW_B.replace("District council", "borough").replace("South East", "Midlands"),
        ROW_C,
        ROW_C,
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"\(4 problems\); nothing was changed"):
        call_command("import_organisations", str(_write(tmp_path, content)), stderr=err)
    lines = [line.split(": ", 1)[1] for line in err.getvalue().splitlines()]
    assert lines == [
        "line 2, parent_code: no organisation with code 'X1' in the file or the service",
        "line 3, kind: 'borough' is not a kind of organisation (use one of: county, district, "
        "unitary, metropolitan, london_borough, nhs_trust, icb, central_department, "
        "arms_length_body, police, fire, other)",
        "line 3, region: 'Midlands' is not a region (use one of: north_east, north_west, "
        "yorkshire, east_midlands, west_midlands, east, london, south_east, south_west, "
        "scotland, wales, northern_ireland, uk_wide)",
        "line 5, code: 'E10000099' appears twice (also on line 4)",
    ]


def test_import_organisations_good_file_creates_with_parents_from_file_and_service(
    existing, tmp_path
):
    path = _write(tmp_path, GOOD)
    assert run(path) == f"Imported {path}: 3 created, 0 updated, 0 unchanged.\n"

    a = Organisation.objects.get(code="E07000001")
    b = Organisation.objects.get(code="E07000002")
    c = Organisation.objects.get(code="E10000099")
    assert (a.name, a.kind, a.region, a.size_band) == (
        "Ashmere District Council",
        "district",
        "south_east",
        "small",
    )
    assert a.parent == c  # from later in the file
    assert b.parent == existing  # from the service
    assert (b.kind, b.region, b.size_band) == ("district", "south_east", "medium")  # labels
    assert c.parent is None and c.size_band == "very_large"

    events = {e.object_id: e for e in AuditEvent.objects.filter(action="organisation.create")}
    assert set(events) == {str(a.pk), str(b.pk), str(c.pk)}
    assert events[str(a.pk)].organisation_id == a.pk
    assert events[str(a.pk)].changes == {
        "code": [None, "E07000001"],
        "name": [None, "Ashmere District Council"],
        "kind": [None, "district"],
        "region": [None, "south_east"],
        "size_band": [None, "small"],
        "parent": [None, "E10000099"],
    }
    assert "parent" not in events[str(c.pk)].changes


def test_import_organisations_second_run_is_all_unchanged_and_writes_nothing(existing, tmp_path):
    path = _write(tmp_path, GOOD)
    run(path)
    before = snapshot()
    assert run(path) == f"Imported {path}: 0 created, 0 updated, 3 unchanged.\n"
    assert snapshot() == before


def test_import_organisations_edited_row_updates_only_that_organisation(existing, tmp_path):
    path = _write(tmp_path, GOOD)
    run(path)
    untouched = snapshot()[0]
    events_before = AuditEvent.objects.count()
    edited = GOOD.replace("Brackenford Borough Council", "Brackenford District Council").replace(
        "Medium", "large"
    )
    _write(tmp_path, edited)

    assert run(path) == f"Imported {path}: 0 created, 1 updated, 2 unchanged.\n"

    b = Organisation.objects.get(code="E07000002")
    assert (b.name, b.size_band, b.parent) == ("Brackenford District Council", "large", existing)
    assert [row for row in snapshot()[0] if row[0] != "E07000002"] == [
        row for row in untouched if row[0] != "E07000002"
    ]
    assert AuditEvent.objects.count() == events_before + 1
    event = AuditEvent.objects.get(action="organisation.update")
    assert (event.object_id, event.organisation_id) == (str(b.pk), b.pk)
    assert event.changes == {
        "name": ["Brackenford Borough Council", "Brackenford District Council"],
        "size_band": ["medium", "large"],
    }


def test_import_organisations_changes_and_clears_parents(existing, tmp_path):
    path = _write(tmp_path, GOOD)
    run(path)
    moved = GOOD.replace("small,E10000099", "small,").replace(
        "Medium,E10000001", "Medium,E10000099"
    )
    _write(tmp_path, moved)

    assert run(path) == f"Imported {path}: 0 created, 2 updated, 1 unchanged.\n"

    assert Organisation.objects.get(code="E07000001").parent is None
    assert Organisation.objects.get(code="E07000002").parent.code == "E10000099"
    changes = {
        e.object_repr: e.changes for e in AuditEvent.objects.filter(action="organisation.update")
    }
    assert changes == {
        "Ashmere District Council": {"parent": ["E10000099", None]},
        "Brackenford Borough Council": {"parent": ["E10000001", "E10000099"]},
    }


def test_import_organisations_accepts_labels_any_order_bom_crlf_and_spaces(db, tmp_path):
    content = (
        "\ufeff code , parent_code,name,size_band,region,kind\r\n"
        " ZL1 ,, London Borough of Quell ,Very large, london ,London borough\r\n"
        "ZA1,,Office for Invented Standards,small,UK-wide,Arm\u2019s-length body\r\n"
        "\r\n"
        "ZN1,,Quell Hospitals NHS Trust,LARGE,North East,nhs_trust\r\n"
    )
    path = _write(tmp_path, content)
    assert run(path) == f"Imported {path}: 3 created, 0 updated, 0 unchanged.\n"
    rows = Organisation.objects.order_by("code").values_list(
        "code", "name", "kind", "region", "size_band"
    )
    assert list(rows) == [
        ("ZA1", "Office for Invented Standards", "arms_length_body", "uk_wide", "small"),
        ("ZL1", "London Borough of Quell", "london_borough", "london", "very_large"),
        ("ZN1", "Quell Hospitals NHS Trust", "nhs_trust", "north_east", "large"),
    ]


def test_import_organisations_missing_file_is_reported(db):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_organisations", "/nonexistent/organisations.csv")


def test_parse_organisations_uses_the_given_existing_codes_without_a_database():
    data = (HEADER + "\nChild Council,district,east,C1,small,P1\n").encode()
    with pytest.raises(OrganisationFileError) as caught:
        parse_organisations(data)
    assert caught.value.messages == [
        "line 2, parent_code: no organisation with code 'P1' in the file or the service"
    ]
    (row,) = parse_organisations(data, existing={"P1": ""})
    assert (row.line, row.code, row.kind, row.parent_code) == (2, "C1", "district", "P1")
    with pytest.raises(OrganisationFileError, match="go round in a loop"):
        parse_organisations(data, existing={"P1": "C1"})


def test_organisations_import_checks_rows_again_against_the_service(existing):
    rows = parse_organisations(
        (HEADER + "\n" + ROW_B + "\n").encode(), existing=organisation_parents()
    )
    existing.delete()  # the parent goes between reading the file and importing it
    before = snapshot()
    with pytest.raises(OrganisationFileError, match="no organisation with code 'E10000001'"):
        organisations_import(rows=rows)
    assert snapshot() == before


def test_organisations_import_records_who_imported(db):
    user = UserFactory(email="admin@council.example")
    rows = parse_organisations((HEADER + "\n" + ROW_C + "\n").encode())
    result = organisations_import(rows=rows, user=user)
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    event = AuditEvent.objects.get()
    assert (event.actor, event.actor_email, event.action) == (
        user,
        "admin@council.example",
        "organisation.create",
    )
