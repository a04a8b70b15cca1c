"""The board report as a Word document (.docx) that people can edit before it goes to the board.

Built from the same `report_context` as the PDF, with the same sections in the same order and
the same words: real heading styles (the navigation pane and screen readers use them), real
tables whose header row repeats on each page, and the PDF's SVG charts drawn as PNG pictures
(cairosvg) with alternative text, each beside the table of its numbers.
"""

import io
from datetime import datetime

from django.conf import settings
from django.template.defaultfilters import filesizeformat, floatformat
from django.utils import dateformat, timezone
from django.utils.text import Truncator
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from assessments import scoring
from assessments.templatetags.movement import in_words
from benchmarks import disclosure
from reports.report import report_context

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MUTED = RGBColor(0x50, 0x5A, 0x5F)
WARNING = RGBColor(0xD4, 0x35, 0x1C)
# Pictures shown 160 mm wide, drawn 1000 pixels wide (160 dots an inch): sharp in print; more
# pixels cost time (PNG encoding is most of a chart's cost) for no visible gain.
CHART_WIDTH = Mm(160)
TEXT_WIDTH = Mm(174)  # A4 less 18 mm margins
CHART_PIXELS = 1000


def render_docx(*, assessment, branding=None, with_spread: bool = False) -> bytes:
    """The board report as .docx; `branding` is the exporting consultant's name and logo."""
    context = report_context(assessment=assessment, with_spread=with_spread)
    return build_docx({**context, "branding": branding})


def _one(value) -> str:
    """A figure to one decimal place as the PDF's `floatformat:1` shows it, or a dash."""
    return "—" if value is None else floatformat(value, 1)


def _percent(share: float) -> str:
    """As `{% widthratio share 1 100 %}%` shows it."""
    return f"{round(share * 100)}%"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return one if n == 1 else (many or f"{one}s")


def _counted(roles, last=" and ") -> str:
    """[("Lead", 1), ("Respondent", 3)] as "1 lead and 3 respondents"."""
    parts = [f"{n} {role.lower()}{'' if n == 1 else 's'}" for role, n in roles]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + last + parts[-1]


class _Report:
    def __init__(self, context: dict):
        self.c = context
        self.doc = Document()
        self._set_up()

    # The document as a whole -----------------------------------------------------------

    def _set_up(self):
        c, doc = self.c, self.doc
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(18)
        section.top_margin, section.bottom_margin = Mm(22), Mm(20)
        normal = doc.styles["Normal"]
        normal.font.name = "Liberation Sans"
        normal.font.size = Pt(10.5)
        # The language of the text (spelling, and screen readers' voice): British English.
        defaults = doc.styles.element.find(qn("w:docDefaults"))
        run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        lang = run_defaults.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            run_defaults.append(lang)
        lang.set(qn("w:val"), "en-GB")
        props = doc.core_properties
        props.title = f"{c['organisation'].name}: {c['fv'].name} {c['assessment'].round_label}"
        props.subject = "Digital maturity self-assessment report"
        # As the PDF's: the consultant who prepared it, or the organisation it is about.
        branding = c.get("branding")
        props.author = branding.display_name if branding else c["organisation"].name
        props.last_modified_by = settings.SERVICE_NAME
        props.language = "en-GB"
        props.created = props.modified = c["generated_at"]
        props.revision = 1
        props.comments = ""
        props.keywords = ""
        self._footer(section)

    def _footer(self, section):
        """As the PDF's page rules: the organisation and framework at the head of each page but
        the first, "Page n of m" at the foot of each (fields, so Word and LibreOffice count),
        and "DRAFT: not submitted" at the foot of each page of a draft."""
        c = self.c
        section.different_first_page_header_footer = True
        running = section.header.paragraphs[0].add_run(
            f"{c['organisation'].name} · {c['fv'].name} (version {c['fv'].version}) · "
            f"{c['assessment'].round_label}"
        )
        running.font.size = Pt(8.5)
        running.font.color.rgb = MUTED
        for footer in (section.footer, section.first_page_footer):
            paragraph = footer.paragraphs[0]
            if c["draft"]:
                run = paragraph.add_run("DRAFT: not submitted")
                run.bold = True
                run.font.color.rgb = WARNING
                paragraph = footer.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.add_run("Page ")
            self._field(paragraph, "PAGE")
            paragraph.add_run(" of ")
            self._field(paragraph, "NUMPAGES")

    @staticmethod
    def _field(paragraph, code: str):
        run = paragraph.add_run()
        for kind, text in (("begin", None), (None, f" {code} "), ("separate", None)):
            if kind:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            else:
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            run._r.append(element)
        paragraph.add_run("1")
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        paragraph.add_run()._r.append(end)

    # Building blocks ---------------------------------------------------------------------

    def heading(self, text: str, level: int):
        style = "Title" if level == 0 else f"Heading{level}"
        return self._styled(self.doc.add_paragraph(text), style)

    @staticmethod
    def _styled(paragraph, style_id: str):
        """The style set by its id in the XML: python-docx's lookup by name searches the
        styles part on every call, a third of the document's cost."""
        paragraph._p.style = style_id
        return paragraph

    def para(self, *parts, muted=False, with_next=False):
        """A paragraph of runs: plain strings, or (text, "b") for bold; `with_next` keeps it on
        the page of what follows (a chart's caption)."""
        paragraph = self.doc.add_paragraph()
        if with_next:
            paragraph.paragraph_format.keep_with_next = True
        for part in parts:
            text, bold = (part[0], True) if isinstance(part, tuple) else (part, False)
            run = paragraph.add_run(text)
            run.bold = bold or None
            if muted:
                run.font.color.rgb = MUTED
        return paragraph

    def table(
        self, header: list[str], rows: list[list[str]], *, numeric=(), small=False, widths=()
    ):
        """A real table: the header row marked to repeat on every page, figures right-aligned;
        `widths` are the columns' shares of the page (wide enough for "4. Embedded"), else equal."""
        table = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        table._tbl.tblPr.style = "TableGrid"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        size = Pt(9) if small else None
        if widths:
            # Word reads each cell's width, LibreOffice the table's grid: both are set.
            table.autofit = False
            sizes = [int(TEXT_WIDTH * share / sum(widths)) for share in widths]
            for column, width in zip(table.columns, sizes, strict=True):
                column.width = width
        for r, (row, values) in enumerate(zip(table.rows, [header, *rows], strict=True)):
            if r == 0:
                marker = OxmlElement("w:tblHeader")
                marker.set(qn("w:val"), "true")
                row._tr.get_or_add_trPr().append(marker)
            for col, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                if widths:
                    cell.width = sizes[col]
                paragraph = cell.paragraphs[0]
                run = paragraph.add_run(value)
                if r == 0:
                    run.bold = True
                if size:
                    run.font.size = size
                if col in numeric:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.doc.add_paragraph()
        return table

    def picture(self, svg: str, alt: str, *, title: str, width=CHART_WIDTH):
        """A chart drawn from the PDF's SVG, with its alternative text (`wp:docPr` descr)."""
        if not svg:
            return
        import cairosvg  # here: it costs 0.25 s to import, and only charts need it

        png = cairosvg.svg2png(
            bytestring=svg.encode(), output_width=CHART_PIXELS, background_color="white"
        )
        self._image(png, alt=alt, title=title, width=width)

    def _image(self, data: bytes, *, alt: str, title: str, width):
        shape = self.doc.add_picture(io.BytesIO(data), width=width)
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", alt)
        doc_pr.set("title", title)

    # The sections, in the PDF's order --------------------------------------------------

    def build(self) -> bytes:
        self.cover()
        self.summary()
        self.profile()
        self.peers()
        self.roadmap()
        self.method()
        self.dimensions()
        self.appendix()
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    def cover(self):
        c = self.c
        organisation, fv, assessment = c["organisation"], c["fv"], c["assessment"]
        self.para("Digital maturity self-assessment", muted=True)
        self.heading(organisation.name, 0)
        self.para(f"{fv.name} (version {fv.version}) · {assessment.round_label}", muted=True)
        status = (
            f"Draft: not submitted ({assessment.get_status_display().lower()})"
            if c["draft"]
            else f"Submitted {_day(assessment.submitted_at)}"
        )
        self.para(("Status: ", "b"), status)
        self.para(
            ("Organisation: ", "b"),
            f"{organisation.get_kind_display()}, {organisation.get_region_display()} "
            f"({organisation.code})",
        )
        self.para(("Report produced: ", "b"), _day(c["generated_at"], "j F Y, H:i"))
        branding = c.get("branding")
        if branding:
            if branding.logo:
                with branding.logo.open("rb") as logo:
                    self._image(logo.read(), alt=branding.display_name, title="Logo", width=Mm(50))
            self.para(f"Prepared by {branding.display_name}")
        self.heading("Contents", 1)
        entries = [
            "Summary",
            "Profile",
            "Comparison with peers",
            "Improvement roadmap",
            "Who took part and how the scores are worked out",
            *(f"{n}. {s['dimension'].name}" for n, s in enumerate(c["sections"], 1)),
            "Appendix: every answer",
        ]
        for entry in entries:
            self._styled(self.doc.add_paragraph(entry), "ListBullet")

    def summary(self):
        c = self.c
        self.doc.add_page_break()
        self.heading("Summary", 1)
        overall = c["scores"].overall
        if overall:
            self.para(
                (overall.display, "b"),
                f" overall, on a scale of {c['scale_note']}: ",
                (overall.band_label, "b"),
                ".",
            )
        else:
            self.para("No question has an agreed level yet, so there is no overall score.")
        comparison, previous = c["comparison"], c["previous"]
        if previous and c["previous_overall"] and c["movement"] is not None:
            on_version = (
                f", on version {previous.framework_version.version}"
                if comparison.version_changed
                else ""
            )
            self.para(
                f"Movement since {previous.round_label} (overall "
                f"{c['previous_overall'].display}{on_version}): ",
                (in_words(c["movement"]), "b"),
                ".",
            )
        if comparison and comparison.version_changed:
            self.para(
                " ".join(comparison.version_note) + " Like-for-like change scores only the "
                "comparable questions, with this version's weights, in both rounds."
            )
        if c["strongest"]:
            strongest, weakest = c["strongest"], c["weakest"]
            self.para(
                "Strongest dimension: ",
                (strongest["dimension"].name, "b"),
                f" ({strongest['score'].display}). Weakest: ",
                (weakest["dimension"].name, "b"),
                f" ({weakest['score'].display}).",
            )
        for flag in c["flags"]:
            paragraph = self.para(("Warning: ", "b"), flag.message)
            paragraph.runs[0].font.color.rgb = WARNING
        header = ["Dimension", "Score", "Level", "Target", "Gap"]
        if comparison:
            header.append(f"Change since {previous.round_label}")
        if comparison and comparison.version_changed:
            header.append("Of which like-for-like")
        rows = []
        for s in c["sections"]:
            row = [
                s["dimension"].name,
                s["score"].display if s["score"] else "—",
                s["score"].band_label if s["score"] else "No score",
                s["target"].display if s["target"] else "—",
                _one(s["gap"]),
            ]
            moved = s["moved"]
            if comparison:
                row.append(
                    scoring.signed(moved.movement) if moved and moved.movement is not None else "—"
                )
            if comparison and comparison.version_changed:
                row.append(
                    scoring.signed(moved.like_for_like)
                    if moved and moved.like_for_like is not None
                    else "—"
                )
            rows.append(row)
        # The dimension's name gets the room it needs; each figure a narrow column.
        widths = (30, 10, 16, 10, 10, 14, 14)[: len(header)]
        self.table(header, rows, numeric=(1, 3, 4, 5, 6), widths=widths)
        if c["trend_chart"]:
            draft = "; the hollow point is this draft" if c["draft"] else ""
            caption = (
                "Overall score over the rounds. Each point is a round's overall score, printed "
                f"above it{draft}. A dashed line marks a change of framework version."
            )
            self.para(caption, muted=True, with_next=True)
            trend = c["trend"]
            self.picture(
                c["trend_chart"],
                "Line chart of the overall score by round: "
                + "; ".join(
                    f"{t['round']}{' (draft)' if t['draft'] else ''} {_one(t['value'])}"
                    for t in trend
                )
                + ". The same figures are in the table below.",
                title="Overall score over the rounds",
            )
            self.table(
                ["Round", *(f"{t['round']}{' (draft)' if t['draft'] else ''}" for t in trend)],
                [
                    ["Framework version", *(t["version"] for t in trend)],
                    ["Overall score", *(_one(t["value"]) for t in trend)],
                ],
                numeric=range(1, len(trend) + 1),
                small=True,
            )

    def profile(self):
        c = self.c
        name = c["organisation"].name
        self.heading("Profile", 1)
        self.para(
            f"Filled shape with a solid edge: {name}. Dashed line: median of organisations of "
            "the same kind, where there are enough to publish one. Rings: the levels of the "
            f"scale, {c['scale_note']}, labelled on the upright axis.",
            muted=True,
            with_next=True,
        )
        self.picture(
            c["radar"],
            f"Radar chart of {name}'s score in each dimension, with the median of organisations "
            "of the same kind where published: "
            + "; ".join(
                f"{s['dimension'].name} {s['score'].display if s['score'] else 'no score'}"
                + (f" (median {_one(s['peers'].median)})" if s["peers"].median is not None else "")
                for s in c["sections"]
            )
            + ". The scores are in the summary table.",
            title="Profile",
        )
        grid = c["grid"]
        if grid:
            self.heading(f"{c['fv'].name} by layer", 2)
            self.para(
                "Each cell is the score of a dimension's questions on one layer, printed in the "
                "cell; darker shading means a higher score. A blank cell: no questions there; a "
                "dash: none of them has a level.",
                muted=True,
            )
            key = self.para("Shading, lowest to highest: ", muted=True)
            for value, shade in grid["key"]:
                run = key.add_run(f" {value} ")
                ink = _fill(run._r.get_or_add_rPr(), shade)
                if ink:
                    run.font.color.rgb = ink
                key.add_run(" ")
            table = self.table(
                ["Dimension", *grid["columns"]],
                [
                    [
                        row["dimension"].name,
                        *(
                            (cell["display"] or "—") if cell["exists"] else ""
                            for cell in row["cells"]
                        ),
                    ]
                    for row in grid["rows"]
                ],
                numeric=range(1, len(grid["columns"]) + 1),
                widths=(34, *[66 / len(grid["columns"])] * len(grid["columns"])),
            )
            for row, data in zip(table.rows[1:], grid["rows"], strict=True):
                for cell, value in zip(row.cells[1:], data["cells"], strict=True):
                    _shade(cell, value["shade"])

    def peers(self):
        c = self.c
        organisation = c["organisation"]
        self.heading("Comparison with peers", 1)
        as_of = (
            f"Figures as of {_day(c['peers_as_of'])}."
            if c["peers_as_of"]
            else "No figures have been released for this group yet."
        )
        self.para(
            f"Organisations of the same kind ({organisation.get_kind_display().lower()}), each "
            "on its latest submitted assessment on this version. Every organisation of that kind "
            f"counts, this one too. A median needs at least {disclosure.MIN_FOR_MEDIAN} "
            f"organisations and quartiles at least {disclosure.MIN_FOR_DISTRIBUTION}; no single "
            f"organisation's score is shown. {as_of}",
            muted=True,
            with_next=True,
        )
        self.picture(
            c["peer_chart"],
            f"Chart of each dimension's score for {organisation.name} against the middle half "
            "and median of organisations of the same kind, where published. The same figures "
            "are in the table below.",
            title="Comparison with peers",
        )
        overall, peers = c["scores"].overall, c["overall_peers"]
        rows = [
            [
                "Overall",
                overall.display if overall else "—",
                _one(peers.lower_quartile),
                _one(peers.median),
                _one(peers.upper_quartile),
            ]
        ]
        for s in c["sections"]:
            p = s["peers"]
            rows.append(
                [
                    s["dimension"].name,
                    s["score"].display if s["score"] else "—",
                    _one(p.lower_quartile),
                    _one(p.median),
                    _one(p.upper_quartile),
                ]
            )
        self.table(
            ["Measure", "You", "Lower quartile", "Median", "Upper quartile"],
            rows,
            numeric=(1, 2, 3, 4),
            widths=(36, 16, 16, 16, 16),
        )
        if not peers.has_median:
            self.para("Not enough peers to compare.")

    def roadmap(self):
        c = self.c
        self.heading("Improvement roadmap", 1)
        more = c["roadmap_more"]
        more_note = (
            f" {more} more {_plural(more, 'target')} {_plural(more, 'is', 'are')} in the appendix."
            if more
            else ""
        )
        self.para(
            "First the targets the lead set above the agreed levels, the largest gaps first, "
            "weighted by how much each question counts; then the questions whose next level "
            "would raise the overall score most. On a tie, data before systems before "
            f"technology.{more_note}",
            muted=True,
        )
        if c["roadmap"]:
            self.table(
                ["Question", "Why it is here", "From", "To", "First step"],
                [
                    [
                        f"{r['question'].text} ({r['dimension'].name})",
                        f"Lifts overall by {floatformat(r['lift'], 2)}"
                        if r.get("lift")
                        else "Lead's target",
                        r["label"],
                        r["target_label"],
                        r["recommendation"] or "—",
                    ]
                    for r in c["roadmap"]
                ],
                small=True,
                widths=(28, 14, 14, 14, 30),
            )
        else:
            self.para(
                "No question has an agreed level below the top of the scale, so there is "
                "nothing to raise."
            )
        if "actions" in c:
            self.actions(c["actions"])

    def actions(self, actions: list[dict]):
        """The improvement plan's actions (reports/includes/actions.html in the PDF)."""
        self.heading("Actions in the improvement plan", 2)
        if not actions:
            self.para("No actions have been added to the improvement plan from these results yet.")
            return
        self.para(
            "The actions made from this round's results, and those still open from earlier "
            "rounds, soonest due first.",
            muted=True,
        )
        rows = []
        for a in actions:
            moves = "; ".join(a["questions"])
            if a["dimension"]:
                moves = f"{a['dimension']}: {moves}" if moves else a["dimension"]
            notes = a["notes"]
            rows.append(
                [
                    a["title"] + (f"\n{_words(a['description'], 40)}" if a["description"] else ""),
                    moves or "—",
                    a["target_level"] or "—",
                    a["owner"] or "Nobody yet",
                    (_day(a["due_date"], "j M Y") if a["due_date"] else "—")
                    + (" (overdue)" if a["overdue"] else ""),
                    a["status"] + (f" ({notes} {_plural(notes, 'note')})" if notes else ""),
                ]
            )
        self.table(
            ["Action", "What it should move", "Target", "Owner", "Due", "Status"],
            rows,
            small=True,
            widths=(24, 22, 14, 12, 13, 15),
        )

    def method(self):
        c = self.c
        self.heading("Who took part and how the scores are worked out", 1)
        self.heading("Who took part", 2)
        if c["answered_count"]:
            n = c["answered_count"]
            members = (
                f" The organisation has {_counted(c['member_roles'])} on this service."
                if c["member_roles"]
                else ""
            )
            self.para(
                f"{n} {_plural(n, 'person', 'people')} gave their own answers: "
                f"{_counted(c['answered_roles'])}.{members}"
            )
        else:
            self.para(
                "No one's own answers are recorded for this round: the agreed answers were "
                "entered directly."
            )
        agreed = (
            f"The agreed answers, which the scores use, were set by {_counted(c['agreed_roles'])}"
            if c["agreed_roles"]
            else "No answers have been agreed yet"
        )
        count = c["agreed_count"]
        if c["reasons_count"]:
            reasons = (
                f" A reason is given for {c['reasons_count']} of the {count} agreed "
                f"{_plural(count, 'answer')}, shown beside each answer."
            )
        elif count:
            reasons = " No reasons are recorded for the agreed answers."
        else:
            reasons = ""
        self.para(
            f"{agreed}.{reasons} The report counts people by role only; it never shows whose "
            "answer was what."
        )
        self.table(
            [
                "Dimension",
                "Questions",
                "People who answered",
                "Weight in overall",
                "With a level",
                "Not applicable",
                "Don't know",
                "Not answered",
            ],
            [
                [
                    row["dimension"].name,
                    str(row["questions"]),
                    _counted(row["roles"], last=", ") if row["roles"] else "None",
                    _percent(row["share"]),
                    str(row["levels"]),
                    str(row["not_applicable"]),
                    str(row["dont_know"]),
                    str(row["not_answered"]),
                ]
                for row in c["taking_part"]
            ],
            numeric=(1, 3, 4, 5, 6, 7),
            small=True,
            widths=(20, 12, 16, 10, 9, 13, 9, 11),
        )
        self.heading("How the scores are worked out", 2)
        dimension_weights = (
            ", each dimension counting equally"
            if c["equal_dimension_weights"]
            else ", each counting by its weight in the table above"
        )
        question_weights = (
            "Within a dimension, every question has the same weight."
            if c["equal_question_weights"]
            else "Within a dimension, questions carry different weights: each question's share "
            "of its dimension is in the appendix."
        )
        self.para(
            f"{c['rule']} The overall score is the weighted mean of the dimension "
            f"scores{dimension_weights}. {question_weights}"
        )
        self.para(
            "Not applicable, don't know and unanswered questions are left out, never counted as "
            "zero, so a dimension's score rests on its questions with a level, and the weights "
            "are shared among those. A dimension with no levels at all has no score and is left "
            "out of the overall."
        )
        levels = ", ".join(f"{lv.value} {lv.label}" for lv in c["levels"])
        stored = "" if c["draft"] else " The scores were stored when the assessment was submitted."
        self.para(
            f"Scores are shown to one decimal place on the scale of {c['scale_note']}; the level "
            "named beside a score is the level it has reached, rounded down "
            f"({levels}). A dimension's target is worked out the same way from the target "
            f"levels.{stored}"
        )

    def dimensions(self):
        for n, s in enumerate(self.c["sections"], 1):
            self.heading(f"{n}. {s['dimension'].name}", 1)
            if s["dimension"].description:
                self.para(s["dimension"].description)
            score = s["score"]
            self.para(
                "Score ",
                (score.display if score else "none", "b"),
                f" ({score.band_label})" if score else "",
                ".",
                f" Position: {s['position']}." if s["position"] else "",
            )
            for item in s["items"]:
                self.heading(item["question"].text, 2)
                answer = item["answer"]
                self.para(
                    ("Agreed answer: ", "b"),
                    item["label"] + (f": {item['current']}" if item["current"] else ""),
                )
                if answer and answer.rationale:
                    self.para(("The lead's reason: ", "b"), answer.rationale)
                if item["next"]:
                    self.para((f"Next level ({item['next_label']}): ", "b"), item["next"])
                if item["recommendation"]:
                    self.para(("Recommendation: ", "b"), item["recommendation"])
                if answer and answer.evidence:
                    self.para(("Evidence: ", "b"), answer.evidence)

    def appendix(self):
        c = self.c
        self.heading("Appendix: every answer", 1)
        header = ["Question", "Agreed answer", "Target", "Share of dimension"]
        if c["with_spread"]:
            header += ["People answering", "Spread"]
        rows = []
        for item in c["appendix"]:
            row = [
                f"{item['question'].dimension.name}: {item['question'].text}",
                item["label"],
                item["target_label"] or "—",
                _percent(item["share"]),
            ]
            if c["with_spread"]:
                spread = item["spread"]
                row += [str(item["respondents"]), "—" if spread is None else str(spread)]
            rows.append(row)
        widths = (42, 16, 16, 10, 10, 6) if c["with_spread"] else (58, 16, 16, 10)
        self.table(header, rows, numeric=(3, 4, 5), small=True, widths=widths)
        files = c.get("evidence_files")
        if files:
            self.heading("Evidence files", 2)
            self.para(
                "Attached to the agreed answers. People who may see the results can download "
                "them from the service.",
                muted=True,
            )
            self.table(
                ["Question", "File", "Type", "Size", "Attached by"],
                [
                    [
                        f["question"],
                        f["name"],
                        f["kind"],
                        filesizeformat(f["size"]),
                        f"{f['uploaded_by'] or '—'}, {_day(f['uploaded_at'], 'j M Y')}",
                    ]
                    for f in files
                ],
                numeric=(3,),
                small=True,
                widths=(30, 24, 14, 10, 22),
            )


def _words(text: str, count: int) -> str:
    """As the PDF's `|truncatewords:count` shows it."""
    return Truncator(text).words(count, truncate=" …")


def _day(value, format="j F Y") -> str:
    """As the PDF's `|date:"j F Y"` shows it: a moment in time in the site's time zone."""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return dateformat.format(value, format)


# Cell shading for the lens-by-layer grid: the PDF's shades, white text on the two darkest.
_SHADES = {0: ("FFFFFF", None), 1: ("E8F1F8", None), 2: ("BFD6EA", None), 3: ("8EB8DC", None)}
_SHADES |= {4: ("1D70B8", RGBColor(0xFF, 0xFF, 0xFF)), 5: ("003078", RGBColor(0xFF, 0xFF, 0xFF))}


def _shade(cell, shade: int):
    """A grid cell in the PDF's shade for its score."""
    ink = _fill(cell._tc.get_or_add_tcPr(), shade)
    if ink:
        for run in cell.paragraphs[0].runs:
            run.font.color.rgb = ink


def _fill(properties, shade: int) -> RGBColor | None:
    """Shade a cell's or a run's properties; the ink its text needs on that shade, if not black."""
    fill, ink = _SHADES.get(shade, _SHADES[0])
    element = OxmlElement("w:shd")
    element.set(qn("w:val"), "clear")
    element.set(qn("w:color"), "auto")
    element.set(qn("w:fill"), fill)
    properties.append(element)
    return ink


def build_docx(context: dict) -> bytes:
    """The .docx file's bytes from a report context (`report_context` plus "branding")."""
    return _Report(context).build()
