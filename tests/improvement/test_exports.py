"""Actions go out with the report: the PDF's roadmap (read back with pdftotext), an "Actions"
sheet in the XLSX (read back with openpyxl), and the organisation's JSON export; reading them
costs the same queries for one action as for many."""

import io
import json
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from improvement import selectors, services
from improvement.models import Action
from reports.report import render_pdf
from tests.pdf import pdf_text


def _plan(body):
    late = services.action_create(
        assessment=body.assessment,
        by=body.lead,
        title="Publish a data catalogue",
        description="Start with the ten most used data sets.",
        dimension=body.questions[0].dimension,
        questions=body.questions[:1],
        target_level=3,
        owner=body.respondent,
        due_date=date.today() - timedelta(days=5),
    )
    services.action_note_add(action=late, by=body.respondent, text="Draft list shared")
    done = services.action_create(
        assessment=body.assessment, by=body.lead, title="Appoint a data owner"
    )
    services.action_set_status(action=done, by=body.lead, status=Action.Status.DONE, base_version=0)
    return late, done


def test_report_actions_are_plain_values(body):
    late, _ = _plan(body)
    [first, second] = selectors.report_actions(assessment=body.assessment)
    assert first == {
        "title": "Publish a data catalogue",
        "description": "Start with the ten most used data sets.",
        "dimension": body.questions[0].dimension.name,
        "questions": [body.questions[0].text],
        "target_level": "3. Defined",
        "owner": "Rory Respondent",
        "due_date": late.due_date,
        "status": "Not started",
        "overdue": True,
        "notes": 1,
    }
    assert (second["title"], second["status"], second["overdue"]) == (
        "Appoint a data owner",
        "Done",
        False,
    )


def test_the_next_round_reports_actions_still_open_from_earlier(body):
    from tests.factories import submit

    _plan(body)
    later, _ = submit(
        body.organisation, body.fv, [3] * len(body.questions), "2026/27", lead=body.lead
    )
    titles = [a["title"] for a in selectors.report_actions(assessment=later)]
    assert titles == ["Publish a data catalogue"]  # the done one stays with its own round


def test_the_pdf_roadmap_lists_the_actions(body, tmp_path):
    _plan(body)
    text = " ".join(pdf_text(render_pdf(assessment=body.assessment), tmp_path).split())
    section = text[text.index("Actions in the improvement plan") :]
    assert "Publish a data catalogue" in section
    assert "Rory" in section  # the owner (the name may wrap in its column)
    assert "(overdue)" in section
    assert "Appoint a data owner" in section and "Done" in section


def test_the_xlsx_has_an_actions_sheet(body):
    from openpyxl import load_workbook

    _plan(body)
    response = body.client(body.viewer).get(
        reverse("reports:export_xlsx", args=[body.organisation.pk, body.assessment.pk])
    )
    sheet = load_workbook(io.BytesIO(response.content))["Actions"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Action",
        "Detail",
        "Dimension",
        "Questions",
        "Target level",
        "Owner",
        "Due",
        "Status",
        "Overdue",
        "Notes",
    ]
    assert rows[1][0] == "Publish a data catalogue"
    assert rows[1][5] == "Rory Respondent" and rows[1][7:] == ["Not started", "Yes", 1]
    assert rows[1][6].date() == date.today() - timedelta(days=5)
    assert rows[2][0] == "Appoint a data owner" and rows[2][7:9] == ["Done", "No"]


def test_the_organisation_json_has_every_action_with_its_notes(body):
    from organisations.selectors import organisation_access
    from reports.organisation_data import organisation_data_download

    _plan(body)
    access = organisation_access(user=body.lead, pk=body.organisation.pk)
    data = json.loads(organisation_data_download(access=access, user=body.lead))
    [late, done] = data["actions"]
    assert late["title"] == "Publish a data catalogue" and late["round"] == "2025/26"
    assert [n["text"] for n in late["notes"]] == ["Draft list shared"]
    assert late["notes"][0]["author"] == "rory@sorrelden.example"
    assert done["status"] == "Done" and done["notes"] == []


def test_report_actions_cost_the_same_queries_for_one_or_many(body):
    def add():
        action = services.action_create(
            assessment=body.assessment,
            by=body.lead,
            title="x",
            owner=body.respondent,
            dimension=body.questions[0].dimension,
            questions=body.questions[:2],
            target_level=3,
        )
        services.action_note_add(action=action, by=body.lead, text="n")

    add()
    assert body.assessment.framework_version  # the report has loaded it before asking
    selectors.report_actions(assessment=body.assessment)  # the scale is read once per process
    with CaptureQueriesContext(connection) as one:
        selectors.report_actions(assessment=body.assessment)
        selectors.organisation_actions_data(organisation=body.organisation)
    for _ in range(5):
        add()
    with CaptureQueriesContext(connection) as many:
        selectors.report_actions(assessment=body.assessment)
        selectors.organisation_actions_data(organisation=body.organisation)
    assert len(many) == len(one)
