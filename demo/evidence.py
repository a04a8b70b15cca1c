"""The demo's evidence files: a board paper on the home organisation's latest submitted round of
the data, systems and technology framework (on the agreed answer, so the report's appendix and
the XLSX list it), and a data asset register that Jo Pritchard attached to one of her answers in
the round in progress (which only she and the lead can download).

Both are real files, made here: a PDF drawn by the service's own renderer and a spreadsheet
written with openpyxl. Idempotent: if the home organisation has any evidence file, nothing is
added.
"""

import hashlib
import io
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.html import escape

from assessments.evidence import PDF, XLSX
from assessments.models import AgreedAnswer, Answer, Assessment, EvidenceFile, EvidenceLink
from organisations.models import Membership, Organisation

FRAMEWORK = "data-systems-technology"


def board_paper(organisation: Organisation) -> bytes:
    from maturity.pdf import html_to_pdf

    name = escape(organisation.name)
    return html_to_pdf(
        f"""<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
        <title>Data strategy 2025 to 2028</title>
        <style>body {{ font-family: "Liberation Sans", Arial, sans-serif; font-size: 11pt; }}
        </style></head><body>
        <h1>Data strategy 2025 to 2028</h1>
        <p>{name}: paper to the Cabinet, 12 March 2025 (fictional demo data).</p>
        <h2>Decisions</h2>
        <ol><li>Each data set has a named owner at head of service level.</li>
        <li>A data catalogue is published on the intranet by March 2026.</li>
        <li>The Data Board meets quarterly and reports to the Corporate Leadership Team.</li></ol>
        </body></html>"""
    )


def asset_register() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Data assets"
    sheet.append(["Data set", "Owner", "System", "Last reviewed"])
    for row in (
        ("Council tax accounts", "Head of Revenues", "Revenues and benefits", "2026-05"),
        ("Adult social care records", "Head of Adult Services", "Case management", "2026-02"),
        ("Street gazetteer", "GIS Manager", "Address management", "2025-11"),
    ):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _store(*, organisation, user, name: str, kind, data: bytes, **link) -> EvidenceFile:
    key = default_storage.save(f"evidence/{secrets.token_urlsafe(32)}", ContentFile(data))
    stored = EvidenceFile.objects.create(
        organisation=organisation,
        key=key,
        name=name,
        kind=kind.extension,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )
    EvidenceLink.objects.create(file=stored, **link)
    return stored


@transaction.atomic
def demo_evidence_load(*, home: Organisation) -> int:
    """Add the demo files; returns how many were added (0 when they are already there)."""
    if EvidenceFile.objects.filter(organisation=home).exists():
        return 0
    people = {
        m.user.email: m.user
        for m in Membership.objects.filter(organisation=home).select_related("user")
    }
    lead, officer = people.get("lead@demo.example"), people.get("officer2@demo.example")
    rounds = Assessment.objects.filter(
        organisation=home, framework_version__framework__slug=FRAMEWORK
    ).order_by("-created_at")
    submitted = rounds.filter(status=Assessment.Status.SUBMITTED).first()
    agreed = (
        AgreedAnswer.objects.filter(assessment=submitted, state=AgreedAnswer.State.LEVEL)
        .order_by("question__dimension__position", "question__position")
        .first()
    )
    added = 0
    if lead is not None and agreed is not None:
        _store(
            organisation=home,
            user=lead,
            name="Data-strategy-2025-board-paper.pdf",
            kind=PDF,
            data=board_paper(home),
            assessment=submitted,
            agreed_answer=agreed,
        )
        added += 1
    open_round = rounds.exclude(status=Assessment.Status.SUBMITTED).first()
    answer = (
        Answer.objects.filter(assessment=open_round, respondent=officer)
        .exclude(state="")
        .order_by("question__dimension__position", "question__position")
        .first()
        if officer is not None and open_round is not None
        else None
    )
    if answer is not None:
        _store(
            organisation=home,
            user=officer,
            name="Data-asset-register.xlsx",
            kind=XLSX,
            data=asset_register(),
            assessment=open_round,
            answer=answer,
        )
        added += 1
    return added
