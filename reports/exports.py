"""An assessment's data for analysts: XLSX (one sheet per table) and CSV (the answers).

Every text cell that a spreadsheet would read as a formula (starting with = + - @) is escaped
with a leading apostrophe, so a hostile evidence note cannot run anything when opened.
"""

import csv
import io

from django.db.models import QuerySet
from django.utils.text import slugify

from assessments.models import AgreedAnswer, Answer, Assessment, Score
from assessments.selectors import evidence_listing
from frameworks.models import Question, ScaleLevel
from improvement.selectors import report_actions
from maturity.downloads import file_name
from maturity.spreadsheets import safe_cell, write_sheet


def file_stem(assessment: Assessment) -> str:
    """A safe file name (no extension) for an assessment's exports: code, framework, round."""
    return file_name(
        assessment.organisation.code,
        assessment.framework_version.framework.slug,
        slugify(assessment.round_label.replace("/", "-")) or "round",
    )


def _answer_cells(answer, labels):
    if answer is None or not answer.state:
        return ["", "", "", "", "", ""]
    level = answer.level if answer.state == "level" else None
    return [
        answer.get_state_display() if level is None else f"{level}. {labels.get(level, '')}",
        level,
        answer.target_level,
        answer.evidence,
        answer.links,
        answer.get_confidence_display() if answer.confidence else "",
    ]


ABOUT_SHEET = "About"
RESPONDENTS_SHEET = "Respondents' answers"
OWN_SHEET = "Your answers"


def assessment_tables(
    *,
    assessment: Assessment,
    answers: QuerySet[Answer] | None = None,
    answers_sheet: str = RESPONDENTS_SHEET,
    prepared_by: str = "",
) -> dict[str, list[list]]:
    """The tables an export writes, as rows of plain values (header row first).

    `answers` are the individual answers the downloader may see
    (`assessments.selectors.visible_answers`): None leaves the sheet of people's answers out,
    so by default an export carries only the organisation's agreed answers and scores.
    `prepared_by` is the exporting consultant's display name, if they have set one.
    """
    fv = assessment.framework_version
    labels = dict(ScaleLevel.objects.filter(framework_version=fv).values_list("value", "label"))
    questions = list(
        Question.objects.filter(dimension__framework_version=fv)
        .select_related("dimension")
        .prefetch_related("levels")
        .order_by("dimension__position", "position")
    )
    agreed = {a.question_id: a for a in AgreedAnswer.objects.filter(assessment=assessment)}
    answer_header = ["Answer", "Level", "Target", "Evidence", "Links", "Confidence"]
    agreed_rows = [["Dimension", "Question slug", "Question", *answer_header, "Rationale"]]
    for q in questions:
        a = agreed.get(q.pk)
        agreed_rows.append(
            [q.dimension.name, q.slug, q.text, *_answer_cells(a, labels), a.rationale if a else ""]
        )
    respondent_rows = [["Person", "Email", "Dimension", "Question slug", *answer_header]]
    by_question = {q.pk: q for q in questions}
    for answer in (
        (answers if answers is not None else Answer.objects.none())
        .select_related("respondent")
        .order_by("respondent__email", "question__dimension__position", "question__position")
    ):
        q = by_question[answer.question_id]
        respondent_rows.append(
            [
                answer.respondent.full_name,
                answer.respondent.email,
                q.dimension.name,
                q.slug,
                *_answer_cells(answer, labels),
            ]
        )
    score_rows = [["Scope", "Dimension", "Facet value", "Score", "Level", "Target", "Answered"]]
    for s in (
        Score.objects.filter(assessment=assessment)
        .select_related("dimension", "facet_value")
        .order_by("scope", "dimension__position", "facet_value__position")
    ):
        score_rows.append(
            [
                s.get_scope_display(),
                s.dimension.name if s.dimension else "",
                s.facet_value.name if s.facet_value else "",
                round(s.value, 3) if s.value is not None else None,
                labels.get(s.band_value, "") if s.band_value is not None else "",
                round(s.target, 3) if s.target is not None else None,
                f"{s.answered} of {s.total}",
            ]
        )
    framework_rows = [
        ["Dimension", "Question slug", "Question", "Weight"]
        + [f"{v}. {label}" for v, label in sorted(labels.items())]
    ]
    for q in questions:
        descriptors = {ql.value: ql.descriptor for ql in q.levels.all()}
        framework_rows.append(
            [q.dimension.name, q.slug, q.text, q.weight]
            + [descriptors.get(v, "") for v in sorted(labels)]
        )
    about = [
        ["Organisation", assessment.organisation.name],
        ["Code", assessment.organisation.code],
        ["Framework", f"{fv.name} {fv.version}"],
        ["Round", assessment.round_label],
        ["Status", assessment.get_status_display()],
        ["Submitted", assessment.submitted_at or ""],
    ]
    if prepared_by:
        about.append(["Prepared by", prepared_by])
    tables = {ABOUT_SHEET: about, "Agreed answers": agreed_rows}
    if answers is not None:
        tables[answers_sheet] = respondent_rows
    # The files on the agreed answers (anyone who may export sees those answers).
    tables["Files"] = [
        ["Question", "File", "Type", "Size (bytes)", "Attached by", "Attached"],
        *(
            [f["question"], f["name"], f["kind"], f["size"], f["uploaded_by"], f["uploaded_at"]]
            for f in evidence_listing(assessment=assessment)
        ),
    ]
    # The improvement plan: this round's actions and those still open from earlier rounds.
    tables["Actions"] = [
        [
            *("Action", "Detail", "Dimension", "Questions", "Target level", "Owner", "Due"),
            *("Status", "Overdue", "Notes"),
        ],
        *(
            [
                *(a["title"], a["description"], a["dimension"], "\n".join(a["questions"])),
                *(a["target_level"], a["owner"], a["due_date"], a["status"]),
                *("Yes" if a["overdue"] else "No", a["notes"]),
            ]
            for a in report_actions(assessment=assessment)
        ),
    ]
    return tables | {"Scores": score_rows, "Framework": framework_rows}


def assessment_xlsx(
    *,
    assessment: Assessment,
    answers: QuerySet[Answer] | None = None,
    answers_sheet: str = RESPONDENTS_SHEET,
    prepared_by: str = "",
) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    tables = assessment_tables(
        assessment=assessment,
        answers=answers,
        answers_sheet=answers_sheet,
        prepared_by=prepared_by,
    )
    for title, rows in tables.items():
        write_sheet(workbook.create_sheet(title[:31]), rows, header=title != ABOUT_SHEET)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def assessment_csv(*, assessment: Assessment) -> str:
    """The agreed answers as CSV (the table analysts ask for first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in assessment_tables(assessment=assessment)["Agreed answers"]:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()
