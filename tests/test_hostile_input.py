"""Hostile input at every form and upload.

Each hostile value is either refused with a clear message and nothing changed, or kept exactly
as typed (forms trim surrounding white space, as GOV.UK asks) and inert everywhere it appears:
escaped on pages, written as text in PDFs, and never read as a formula in spreadsheet cells.
Ordinary text that starts with "-", "+" or "@" is still accepted. Nothing crashes: the test
client raises any exception a view lets out, so a would-be 500 fails the test.

The matrix is: the text values below times every text field of every form (kept or refused), then
the emails, choices, numbers, files and bodies that must be refused, each at its own form.
"""

import csv
import io
import json
import re
import struct
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from assessments.models import AgreedAnswer, Answer, Assessment
from assessments.services import assessment_start
from frameworks.models import Framework, FrameworkVersion, Question
from maturity.accounts.models import ConsultantBranding, User
from maturity.audit.models import AuditEvent
from maturity.spreadsheets import FORMULA_STARTS, safe_cell
from organisations.models import Invitation, Membership, Organisation, PeerGroup, Role
from organisations.services import invitation_create, invitation_token
from reports.models import BulkExport
from tests.conftest import CsrfClient
from tests.factories import (
    ConsultantGrantFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
    submit,
)
from tests.pdf import pdf_text

pytestmark = [pytest.mark.once, pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

# --- The hostile values -------------------------------------------------------------------------

# Kept as typed and shown inert wherever they appear (each fits the shortest field, 40 characters).
KEPT = {
    "script": '<script>alert("pwned")</script>',
    "attribute": '" autofocus onfocus="alert(1)',
    "tag": "<img src=x onerror=alert(1)>",
    "plotly_label": '<a href="//evil.example">Click</a><br>',
    "formula_equals": '=HYPERLINK("//evil.example","Go")',
    "formula_plus": "+1+cmd|' /C calc'!A0",
    "formula_minus": "-2+3",
    "formula_at": "@SUM(1,2)",
    "formula_tab": "\t=1+1",
    "formula_cr": "\r=1+1",
    "ordinary_dash": "- bullet point",
    "ordinary_phone": "+44 20 7946 0000",
    "ordinary_handle": "@handle",
    "unicode": "Ysgol \u2018Bro\u2019 \u2013 Ūnïcødé 🌍 עברית",  # curly quotes, en dash
}
# PDFs are drawn from the same escaped HTML as pages; these are the values that could show it.
IN_PDFS = ("script", "plotly_label", "unicode")
# Refused by every text field, with the message a person sees.
NUL = "Before\x00after"
NUL_MESSAGE = "contains a hidden null character"
OVERSIZED_MESSAGE = re.compile(r"\d+ characters or fewer")
# Django's admin keeps Django's own wording.
ADMIN_MESSAGES = {NUL_MESSAGE: "Null characters are not allowed", OVERSIZED_MESSAGE: "at most"}
# Email fields refuse all of these.
BAD_EMAILS = {
    "script": '<script>alert("x")</script>@example.gov.uk',
    "attribute": '"onmouseover="alert(1)"@example.gov.uk',
    "nul": "someone\x00@example.gov.uk",
    "header_injection": "someone@example.gov.uk\r\nBcc: everyone@example.gov.uk",
    "oversized": "a" * 250 + "@example.gov.uk",
}


def typed(value: str) -> str:
    """What a form keeps of a value: everything but surrounding white space."""
    return value.strip()


# --- The world the values are thrown at ---------------------------------------------------------


@dataclass
class Site:
    org: Organisation
    other: Organisation
    lead: User
    respondent: User
    consultant: User
    editor: User
    admin: User
    fv: FrameworkVersion
    draft: Assessment
    submitted: Assessment
    question: Question
    invitation: Invitation
    clients: dict = field(default_factory=dict)

    def client(self, user) -> CsrfClient:
        if user not in self.clients:
            self.clients[user] = CsrfClient()
            if user is not None:
                self.clients[user].force_login(user)
        return self.clients[user]


@pytest.fixture
def site(db):
    """One organisation with a submitted and a draft assessment, and everyone who can type."""
    org = OrganisationFactory(name="Alpha District Council")
    fv = make_version(publish=True, dimensions=2, questions=1)
    submitted, lead = submit(org, fv, [3, 3], round_label="2025/26")
    return Site(
        org=org,
        other=OrganisationFactory(name="Beta District Council"),
        lead=lead,
        respondent=MembershipFactory(organisation=org, role=Role.RESPONDENT).user,
        consultant=ConsultantGrantFactory(organisation=org).consultant,
        editor=UserFactory(editor=True),
        admin=UserFactory(is_staff=True, is_superuser=True),
        fv=fv,
        draft=assessment_start(
            organisation=org, framework_version=fv, round_label="2026/27", user=lead
        ),
        submitted=submitted,
        question=Question.objects.filter(dimension__framework_version=fv).order_by("pk").first(),
        invitation=invitation_create(
            organisation=org,
            email="new.person@alpha.example",
            role=Role.RESPONDENT,
            invited_by=lead,
            base_url="http://testserver/",
        ),
    )


# --- Checks -------------------------------------------------------------------------------------

# What "nothing changed" looks at: every table a form or upload writes to.
WATCHED = (
    User,
    Organisation,
    PeerGroup,
    Membership,
    Invitation,
    Framework,
    FrameworkVersion,
    Question,
    Assessment,
    Answer,
    AgreedAnswer,
    ConsultantBranding,
    BulkExport,
    AuditEvent,
)


def snapshot() -> dict:
    return {
        model._meta.label: sorted(
            tuple(sorted((k, str(v)) for k, v in row.items() if k != "last_login"))
            for row in model.objects.values()
        )
        for model in WATCHED
    }


def assert_database_clean():
    """No NUL byte in any text column (PostgreSQL refuses them with a 500), and nothing longer
    than its column (PostgreSQL refuses that too; SQLite, where this runs, would not notice)."""
    for model in apps.get_models():
        if model._meta.app_label in ("sessions", "contenttypes", "auth", "admin"):
            continue
        text = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
        ]
        for row in model.objects.values(*[f.attname for f in text]):
            for f in text:
                value = row[f.attname] or ""
                assert "\x00" not in value, f"NUL stored in {model._meta.label}.{f.name}"
                if f.max_length and not isinstance(f, models.TextField):
                    assert len(value) <= f.max_length, f"{model._meta.label}.{f.name} too long"


def assert_not_crashed(response):
    assert response.status_code < 500, response.content[:2000]


def assert_refused_on_page(response, message):
    """A GOV.UK error summary, naming the problem, on the form page."""
    assert response.status_code in (200, 400), response.status_code
    html = response.content.decode()
    # The service's pages have a GOV.UK error summary; Django's admin has its own error note.
    assert "govuk-error-summary" in html or 'class="errornote"' in html, html[:3000]
    if isinstance(message, re.Pattern):
        assert message.search(html), html[:3000]
    else:
        assert message in html, html[:3000]


def assert_inert_in_html(html: str, value: str):
    """The value appears, escaped; no part of it is live markup."""
    assert escape(value) in html, f"{value!r} not shown escaped"
    if "<" in value or '"' in value:
        assert value not in html, f"{value!r} shown unescaped"


def assert_inert_in_spreadsheet_cells(cells: list, value: str):
    assert safe_cell(value) in cells or any(isinstance(c, str) and value in c for c in cells), (
        f"{value!r} not in the cells"
    )
    for cell in cells:
        if isinstance(cell, str):
            assert not cell.startswith(FORMULA_STARTS), f"cell {cell!r} reads as a formula"


def xlsx_cells(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula cell {cell.value!r}"
                cells.append(cell.value)
    return cells


def csv_cells(content: bytes) -> list:
    return [c for row in csv.reader(io.StringIO(content.decode())) for c in row]


def squeezed(text: str) -> str:
    """Text without white space or invisible format characters (pdftotext wraps lines, and
    marks right-to-left runs with embedding characters)."""
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


# --- The text fields, and where each value shows up again ---------------------------------------


@dataclass
class Where:
    """One place a stored value comes back out: a page, a spreadsheet, a CSV or a PDF."""

    kind: str  # "html", "json", "xlsx", "csv" or "pdf"
    url: Callable[[Site], str]
    user: Callable[[Site], object]


@dataclass
class TextField:
    name: str
    user: Callable[[Site], object]
    url: Callable[[Site], str]
    data: Callable[[Site, str], dict]
    stored: Callable[[Site], str]
    max_length: int | None
    shown: tuple[Where, ...] = ()
    json: bool = False  # autosave answers JSON rather than a page
    form_url: Callable[[Site], str] | None = None  # where the form is, if not at `url`

    @property
    def in_admin(self) -> bool:
        """Django's admin keeps Django's own error wording; the service's forms use GOV.UK's."""
        return self.user is ADMIN


def _assessment(name, which="draft", **extra):
    """The URL of a page or download of the site's draft (or `which`) assessment."""

    def url(s):
        kwargs = {"pk": s.org.pk, "apk": getattr(s, which).pk}
        return reverse(name, kwargs=kwargs | {k: v(s) for k, v in extra.items()})

    return url


def _newest_assessment(name):
    """The URL of a page or download of the assessment started last."""
    return lambda s: reverse(
        name, kwargs={"pk": s.org.pk, "apk": Assessment.objects.order_by("-pk").first().pk}
    )


def _question(name):
    return _assessment(name, qpk=lambda s: s.question.pk)


def _latest(model, field_name, **filters):
    def stored(s):
        row = model.objects.filter(**{k: v(s) for k, v in filters.items()}).order_by("-pk").first()
        return getattr(row, field_name) if row else None

    return stored


def _reopen_reason(s):
    event = AuditEvent.objects.filter(action="assessment.reopen").first()
    return event.changes.get("reason") if event else None


def _admin_org_data(s, **changes):
    return {
        "name": s.org.name,
        "kind": s.org.kind,
        "region": s.org.region,
        "code": s.org.code,
        "size_band": s.org.size_band,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        **changes,
    }


LEAD = lambda s: s.lead  # noqa: E731
RESPONDENT = lambda s: s.respondent  # noqa: E731
CONSULTANT = lambda s: s.consultant  # noqa: E731
EDITOR = lambda s: s.editor  # noqa: E731
ADMIN = lambda s: s.admin  # noqa: E731
ANONYMOUS = lambda s: None  # noqa: E731

ORG_PAGE = Where("html", lambda s: reverse("organisations:organisation", args=[s.org.pk]), LEAD)
DRAFT_XLSX = Where("xlsx", _assessment("reports:export_xlsx"), LEAD)
DRAFT_CSV = Where("csv", _assessment("reports:export_csv"), LEAD)
DRAFT_PDF = Where("pdf", _assessment("reports:report_pdf"), LEAD)

TEXT_FIELDS = [
    TextField(
        "account full name",
        LEAD,
        lambda s: reverse("accounts:account"),
        lambda s, v: {"full_name": v},
        lambda s: User.objects.get(pk=s.lead.pk).full_name,
        200,
        shown=(Where("html", lambda s: reverse("accounts:account"), LEAD), ORG_PAGE),
    ),
    TextField(
        "invitation full name",
        ANONYMOUS,
        lambda s: reverse("organisations:invitation", args=[invitation_token(s.invitation)]),
        lambda s, v: {
            "full_name": v,
            "password1": "Lantern-Orchard-77",
            "password2": "Lantern-Orchard-77",
        },
        lambda s: (
            User.objects.filter(email="new.person@alpha.example")
            .values_list("full_name", flat=True)
            .first()
        ),
        200,
        shown=(ORG_PAGE,),
    ),
    TextField(
        "round label",
        LEAD,
        lambda s: reverse("assessments:start", args=[s.org.pk]),
        lambda s, v: {"framework_version": s.fv.pk, "round_label": v},
        lambda s: Assessment.objects.filter(organisation=s.org).order_by("-pk").first().round_label,
        40,
        shown=(
            Where("html", _newest_assessment("assessments:assessment"), LEAD),
            Where("xlsx", _newest_assessment("reports:export_xlsx"), LEAD),
            Where("pdf", _newest_assessment("reports:report_pdf"), LEAD),
        ),
    ),
    TextField(
        "evidence on the question page",
        RESPONDENT,
        _question("assessments:question"),
        lambda s, v: {"answer": "2", "evidence": v, "version": "0"},
        _latest(Answer, "evidence", respondent=RESPONDENT),
        10000,
        shown=(Where("html", _question("assessments:question"), RESPONDENT), DRAFT_XLSX),
    ),
    TextField(
        "evidence by autosave",
        RESPONDENT,
        _question("assessments:autosave"),
        lambda s, v: {"answer": "2", "evidence": v, "version": "0"},
        _latest(Answer, "evidence", respondent=RESPONDENT),
        10000,
        shown=(Where("html", _question("assessments:question"), RESPONDENT),),
        json=True,
        form_url=_question("assessments:question"),
    ),
    TextField(
        "agreed evidence",
        LEAD,
        _question("assessments:agree_question"),
        lambda s, v: {"answer": "3", "evidence": v, "version": "0"},
        _latest(AgreedAnswer, "evidence", assessment=lambda s: s.draft),
        10000,
        shown=(
            Where("html", _question("assessments:agree_question"), LEAD),
            DRAFT_CSV,
            DRAFT_XLSX,
            DRAFT_PDF,
        ),
    ),
    TextField(
        "agreed rationale",
        LEAD,
        _question("assessments:agree_question"),
        lambda s, v: {"answer": "3", "rationale": v, "version": "0"},
        _latest(AgreedAnswer, "rationale", assessment=lambda s: s.draft),
        5000,
        shown=(Where("html", _question("assessments:agree_question"), LEAD), DRAFT_CSV),
    ),
    TextField(
        "reason for reopening",
        LEAD,
        _assessment("assessments:reopen", "submitted"),
        lambda s, v: {"reason": v},
        _reopen_reason,
        2000,
        shown=(
            Where("html", lambda s: reverse("organisations:audit_log", args=[s.org.pk]), LEAD),
            Where("csv", lambda s: reverse("organisations:audit_csv", args=[s.org.pk]), LEAD),
        ),
    ),
    TextField(
        "branding display name",
        CONSULTANT,
        lambda s: reverse("reports:branding"),
        lambda s, v: {"display_name": v},
        lambda s: (
            ConsultantBranding.objects.filter(consultant=s.consultant)
            .values_list("display_name", flat=True)
            .first()
        ),
        100,
        shown=(
            Where("html", lambda s: reverse("reports:branding"), CONSULTANT),
            Where("xlsx", _assessment("reports:export_xlsx", "submitted"), CONSULTANT),
            Where("pdf", _assessment("reports:report_pdf", "submitted"), CONSULTANT),
        ),
    ),
    TextField(
        "framework name",
        EDITOR,
        lambda s: reverse("frameworks:create"),
        lambda s, v: {"name": v, "slug": "hostile-names", "description": "Plain."},
        lambda s: (
            Framework.objects.filter(slug="hostile-names").values_list("name", flat=True).first()
        ),
        200,
        shown=(
            Where(
                "html", lambda s: reverse("frameworks:framework", args=["hostile-names"]), EDITOR
            ),
        ),
    ),
    TextField(
        "framework description",
        EDITOR,
        lambda s: reverse("frameworks:create"),
        lambda s, v: {"name": "Plain name", "slug": "hostile-names", "description": v},
        lambda s: (
            Framework.objects.filter(slug="hostile-names")
            .values_list("description", flat=True)
            .first()
        ),
        5000,
        shown=(
            Where(
                "html", lambda s: reverse("frameworks:framework", args=["hostile-names"]), EDITOR
            ),
        ),
    ),
    TextField(
        "organisation name in the admin",
        ADMIN,
        lambda s: reverse("admin:organisations_organisation_change", args=[s.org.pk]),
        lambda s, v: _admin_org_data(s, name=v),
        lambda s: Organisation.objects.get(pk=s.org.pk).name,
        200,
        shown=(
            ORG_PAGE,
            Where("html", lambda s: reverse("organisations:your_organisations"), LEAD),
            Where(
                "json",
                lambda s: reverse("benchmarks:dashboard", args=[s.org.pk, s.fv.framework.slug]),
                LEAD,
            ),
            Where("xlsx", _assessment("reports:export_xlsx", "submitted"), LEAD),
            Where("pdf", _assessment("reports:report_pdf", "submitted"), LEAD),
        ),
    ),
    TextField(
        "peer group name in the admin",
        ADMIN,
        lambda s: reverse("admin:organisations_peergroup_add"),
        lambda s, v: {"name": v, "description": "", "organisations": [s.org.pk, s.other.pk]},
        lambda s: PeerGroup.objects.values_list("name", flat=True).first(),
        200,
        shown=(
            Where("html", lambda s: reverse("admin:organisations_peergroup_changelist"), ADMIN),
            # The dashboard offers the group in its "Compare with" list.
            Where(
                "json",
                lambda s: reverse("benchmarks:dashboard", args=[s.org.pk, s.fv.framework.slug]),
                LEAD,
            ),
        ),
    ),
]


def _fetch(site, where: Where):
    response = site.client(where.user(site)).get(where.url(site))
    assert response.status_code == 200, (where.url(site), response.status_code)
    return response


def _chart_strings(html: str) -> list[str]:
    """Every string handed to Plotly on the page (the json_script blocks charts.js draws)."""
    found = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for block in re.findall(
        r'<script id="[^"]+" type="application/json">(.*?)</script>', html, re.S
    ):
        walk(json.loads(block))
    return found


def assert_shown_inert(site, where: Where, value: str, tmp_path):
    if where.kind == "pdf" and value not in [typed(KEPT[key]) for key in IN_PDFS]:
        return
    content = _fetch(site, where).content
    if where.kind in ("html", "json"):
        html = content.decode()
        assert_inert_in_html(html, value)
        if where.kind == "json" and "<" in value:
            for text in _chart_strings(html):
                assert value not in text, f"Plotly would read {text!r} as markup"
    elif where.kind == "xlsx":
        assert_inert_in_spreadsheet_cells(xlsx_cells(content), value)
    elif where.kind == "csv":
        assert_inert_in_spreadsheet_cells(csv_cells(content), value)
    elif where.kind == "pdf":
        assert squeezed(value) in squeezed(pdf_text(content, tmp_path))


def _post(site, target: TextField, value):
    client = site.client(target.user(site))
    form_url = target.form_url(site) if target.form_url else None
    return client.submit(target.url(site), target.data(site, value), form_url=form_url)


def _text_cases():
    for target in TEXT_FIELDS:
        for key, value in KEPT.items():
            yield pytest.param(target, value, id=f"{target.name}-{key}")


@pytest.mark.parametrize(("target", "value"), list(_text_cases()))
def test_text_is_kept_as_typed_and_shown_inert(site, target, value, tmp_path):
    response = _post(site, target, value)
    assert_not_crashed(response)
    if target.json:
        assert response.json()["status"] == "saved", response.json()
    else:
        assert response.status_code == 302, response.content.decode()[:3000]
    assert target.stored(site) == typed(value)
    for where in target.shown:
        assert_shown_inert(site, where, typed(value), tmp_path)
    assert_database_clean()


def _refused_cases():
    for target in TEXT_FIELDS:
        yield pytest.param(target, NUL, NUL_MESSAGE, id=f"{target.name}-nul")
        if target.max_length:
            yield pytest.param(
                target,
                "x" * (target.max_length + 1),
                OVERSIZED_MESSAGE,
                id=f"{target.name}-oversized",
            )


@pytest.mark.parametrize(("target", "value", "message"), list(_refused_cases()))
def test_text_is_refused_with_a_clear_message(site, target, value, message):
    if target.in_admin:
        message = ADMIN_MESSAGES[message]
    before_value = target.stored(site)
    before = snapshot()
    response = _post(site, target, value)
    assert_not_crashed(response)
    if target.json:
        # Autosave stores the fields that are valid and keeps the stored value of the rest.
        errors = " ".join(
            e for field_errors in response.json()["errors"].values() for e in field_errors
        )
        assert message.search(errors) if isinstance(message, re.Pattern) else message in errors
        assert (target.stored(site) or "") == (before_value or "")
    else:
        assert_refused_on_page(response, message)
        assert snapshot() == before
    assert_database_clean()


# --- Email addresses ----------------------------------------------------------------------------

EMAIL_FORMS = {
    "invite a member": (
        LEAD,
        lambda s: reverse("organisations:invite", args=[s.org.pk]),
        lambda v: {"email": v, "role": Role.RESPONDENT},
    ),
    "invite a consultant": (
        LEAD,
        lambda s: reverse("organisations:grant", args=[s.org.pk]),
        lambda v: {"email": v},
    ),
    "sign in": (
        ANONYMOUS,
        lambda s: reverse("accounts:login"),
        lambda v: {"username": v, "password": "anything-at-all"},
    ),
    "reset a password": (
        ANONYMOUS,
        lambda s: reverse("accounts:password_reset"),
        lambda v: {"email": v},
    ),
}


@pytest.mark.parametrize("value", BAD_EMAILS.values(), ids=BAD_EMAILS.keys())
@pytest.mark.parametrize("form", EMAIL_FORMS.keys())
def test_a_bad_email_address_is_refused(site, form, value):
    user, url, data = EMAIL_FORMS[form]
    before = snapshot()
    response = site.client(user(site)).submit(url(site), data(value))
    assert_not_crashed(response)
    assert_refused_on_page(
        response, re.compile(r"Enter (an|your) email address|Enter a correct email address")
    )
    assert snapshot() == before
    assert_database_clean()


# Valid addresses (RFC 5321 allows a quoted local part and = + - at the start) that carry
# markup or a formula: kept, and inert on the page and in the record of changes.
ODD_EMAILS = ['"<script>alert(1)</script>"@evil.example', "=1+2@evil.example", "-1@evil.example"]


@pytest.mark.parametrize("email", ODD_EMAILS)
def test_an_odd_but_valid_email_address_is_kept_and_shown_inert(site, email, tmp_path):
    client = site.client(site.lead)
    url = reverse("organisations:invite", args=[site.org.pk])
    response = client.submit(url, {"email": email, "role": Role.VIEWER})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Invitation.objects.filter(email=email).exists()
    assert_shown_inert(site, ORG_PAGE, email, tmp_path)
    audit_csv = Where("csv", lambda s: reverse("organisations:audit_csv", args=[s.org.pk]), LEAD)
    assert_shown_inert(site, audit_csv, email, tmp_path)


# --- Choices, numbers and dates of the wrong type -----------------------------------------------

WRONG_TYPES = [
    # (name, user, url, form_url or None, data, what the person is told)
    (
        "framework that is not a number",
        LEAD,
        lambda s: reverse("assessments:start", args=[s.org.pk]),
        None,
        lambda s: {"framework_version": "abc", "round_label": "2027/28"},
        "Select a valid choice",
    ),
    (
        "framework that does not exist",
        LEAD,
        lambda s: reverse("assessments:start", args=[s.org.pk]),
        None,
        lambda s: {"framework_version": "99999999999999999999999", "round_label": "2027/28"},
        "Select a valid choice",
    ),
    (
        "due date in words",
        LEAD,
        lambda s: reverse("assessments:start", args=[s.org.pk]),
        None,
        lambda s: {
            "framework_version": s.fv.pk,
            "round_label": "2027/28",
            "due_date_0": "first",
            "due_date_1": "<b>March</b>",
            "due_date_2": "2027",
        },
        "date",
    ),
    (
        "level that is not on the scale",
        RESPONDENT,
        _question("assessments:question"),
        None,
        lambda s: {"answer": "99", "version": "0"},
        "Select one of the levels",
    ),
    (
        "target level in words",
        RESPONDENT,
        _question("assessments:question"),
        None,
        lambda s: {"answer": "2", "target_level": "high", "version": "0"},
        "Select a valid choice",
    ),
    (
        "answer version in words",
        RESPONDENT,
        _question("assessments:question"),
        None,
        lambda s: {"answer": "2", "version": "latest"},
        "reload it and enter your answer again",
    ),
    (
        "negative answer version",
        RESPONDENT,
        _question("assessments:question"),
        None,
        lambda s: {"answer": "2", "version": "-1"},
        "reload it and enter your answer again",
    ),
    (
        "confidence that is not a choice",
        RESPONDENT,
        _question("assessments:question"),
        None,
        lambda s: {"answer": "2", "confidence": "<script>", "version": "0"},
        "Select a valid choice",
    ),
    (
        "link that is a script",
        RESPONDENT,
        _question("assessments:question"),
        None,
        lambda s: {"answer": "2", "links": "javascript:alert(1)", "version": "0"},
        "is not a web address",
    ),
    (
        "role that is not a role",
        LEAD,
        lambda s: reverse(
            "organisations:change_role",
            args=[s.org.pk, Membership.objects.get(user=s.respondent).pk],
        ),
        None,
        lambda s: {"role": "superuser"},
        "Select a valid choice",
    ),
    (
        "invitation role that is not a role",
        LEAD,
        lambda s: reverse("organisations:invite", args=[s.org.pk]),
        None,
        lambda s: {"email": "someone@alpha.example", "role": ["lead", "viewer", "<x>"]},
        "Select a valid choice",
    ),
    (
        "export of clients that do not exist",
        CONSULTANT,
        lambda s: reverse("reports:bulk_exports"),
        None,
        lambda s: {"framework": "abc", "organisations": ["abc", "99999999999999999999"]},
        "Select a valid choice",
    ),
    (
        "framework short name with markup",
        EDITOR,
        lambda s: reverse("frameworks:create"),
        None,
        lambda s: {"name": "Fine", "slug": "<script>alert(1)</script>"},
        "Short name must use only lower-case letters",
    ),
    (
        "new version number with a formula",
        EDITOR,
        lambda s: reverse("frameworks:new_draft", args=[s.fv.framework.slug, s.fv.version]),
        None,
        lambda s: {"version": "=1+1"},
        "Enter a version number using digits and dots",
    ),
    (
        "new version number with a NUL",
        EDITOR,
        lambda s: reverse("frameworks:new_draft", args=[s.fv.framework.slug, s.fv.version]),
        None,
        lambda s: {"version": "2.0\x00"},
        NUL_MESSAGE,
    ),
    (
        "password with a NUL",
        ANONYMOUS,
        lambda s: reverse("accounts:login"),
        None,
        lambda s: {"username": s.lead.email, "password": "pass\x00word"},
        NUL_MESSAGE,
    ),
    (
        "new password with a NUL",
        LEAD,
        lambda s: reverse("accounts:password_change"),
        None,
        lambda s: {
            "old_password": "correct-horse-battery-staple",
            "new_password1": "Lantern\x00Orchard-77",
            "new_password2": "Lantern\x00Orchard-77",
        },
        NUL_MESSAGE,
    ),
]


@pytest.mark.parametrize(
    ("user", "url", "form_url", "data", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in WRONG_TYPES],
)
def test_a_value_of_the_wrong_type_is_refused(site, user, url, form_url, data, message):
    before = snapshot()
    response = site.client(user(site)).submit(
        url(site), data(site), form_url=form_url(site) if form_url else None
    )
    assert_not_crashed(response)
    assert_refused_on_page(response, message)
    assert snapshot() == before
    assert_database_clean()


AUTOSAVE_WRONG = {
    "no version": {"answer": "2"},
    "version in words": {"answer": "2", "version": "one"},
    "huge version": {"answer": "2", "version": "9" * 30},
    "two answers": {"answer": ["2", "3"], "version": "0", "evidence": ["a", "b"]},
}


@pytest.mark.parametrize("data", AUTOSAVE_WRONG.values(), ids=AUTOSAVE_WRONG.keys())
def test_autosave_of_the_wrong_shape_answers_json_and_keeps_the_rule(site, data):
    client = site.client(site.respondent)
    response = client.submit(
        _question("assessments:autosave")(site),
        data,
        form_url=_question("assessments:question")(site),
    )
    assert_not_crashed(response)
    body = response.json()
    assert body["status"] in ("invalid", "saved", "conflict"), body
    assert_database_clean()


def test_autosave_given_json_instead_of_a_form_saves_nothing(site):
    client = site.client(site.respondent)
    page = client.get(_question("assessments:question")(site))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    before = snapshot()
    response = client.post(
        _question("assessments:autosave")(site),
        json.dumps({"answer": 2, "version": 0, "evidence": {"$ne": None}}),
        content_type="application/json",
        headers={"X-CSRFToken": token.decode()},
    )
    assert response.status_code == 400
    assert response.json()["status"] == "invalid"
    assert snapshot() == before


GET_PARAMETERS = [
    ("organisations:audit_log", {"who": "<script>alert(1)</script>", "kind": "\x00"}),
    ("organisations:audit_log", {"date_from_0": "1", "date_from_1": "13", "date_from_2": "99999"}),
    ("organisations:audit_log", {"page": "-1"}),
    ("organisations:audit_log", {"page": "9" * 30}),
    ("organisations:audit_csv", {"who": "\x00", "date_to_0": "<b>"}),
    ("benchmarks:dashboard", {"group": "<script>alert(1)</script>"}),
    ("benchmarks:dashboard", {"group": "peer:\x00"}),
    ("benchmarks:dashboard", {"group": "peer:99999999999999999999"}),
]


@pytest.mark.parametrize(("name", "params"), GET_PARAMETERS)
def test_hostile_query_parameters_are_refused_or_ignored(site, name, params):
    kwargs = {"pk": site.org.pk}
    if name == "benchmarks:dashboard":
        kwargs["framework"] = site.fv.framework.slug
    response = site.client(site.lead).get(reverse(name, kwargs=kwargs), params)
    assert_not_crashed(response)
    html = response.content.decode(errors="replace")
    assert "<script>alert(1)</script>" not in html
    assert "\x00" not in html


HOSTILE_PATHS = [
    "/invitations/%3Cscript%3Ealert(1)%3C%2Fscript%3E/",
    "/invitations/abc%00def/",
    "/invitations/" + "a" * 5000 + "/",
    "/organisations/99999999999999999999999/",
    "/organisations/1/assessments/99999999999999999999999/",
    "/frameworks/test-framework/1.0.0%00/",
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_addresses_are_not_found(site, path):
    response = site.client(site.lead).get(path)
    assert response.status_code in (200, 404), response.status_code
    assert b"<script>alert(1)" not in response.content


# --- Organisation codes (the admin and the CSV import) ------------------------------------------

HOSTILE_CODES = {
    "path": '../../x";y',
    "script": "<script>",
    "nul": "E0700\x000223",
    "formula": "=1+1",
    "spaces": "E07 000223",
    "oversized": "E" * 21,
}


@pytest.mark.parametrize("code", HOSTILE_CODES.values(), ids=HOSTILE_CODES.keys())
def test_a_hostile_organisation_code_is_refused_in_the_admin(site, code):
    before = snapshot()
    url = reverse("admin:organisations_organisation_change", args=[site.org.pk])
    response = site.client(site.admin).submit(url, _admin_org_data(site, code=code))
    assert_not_crashed(response)
    assert_refused_on_page(response, re.compile(r"code|null character", re.I))
    assert snapshot() == before
    assert_database_clean()


CSV_HEADER = "name,kind,region,code,size_band,parent_code\n"


@pytest.mark.parametrize(
    "row",
    [
        f'Hostile,district,south_west,"{HOSTILE_CODES["path"]}",small,\n',
        "Hostile,district,south_west,=1+1,small,\n",
        "Hostile\x00Council,district,south_west,E07000999,small,\n",
        "Hostile,<script>,south_west,E07000999,small,\n",
        "x" * 201 + ",district,south_west,E07000999,small,\n",
    ],
    ids=["path-code", "formula-code", "nul-name", "script-kind", "oversized-name"],
)
def test_a_hostile_row_in_the_organisation_csv_is_refused(site, row, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "organisations.csv"
    path.write_bytes((CSV_HEADER + row).encode())
    before = snapshot()
    with pytest.raises(CommandError):
        call_command("import_organisations", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert snapshot() == before


@pytest.mark.parametrize("name", [KEPT["script"], KEPT["formula_equals"], KEPT["ordinary_phone"]])
def test_a_hostile_name_in_the_organisation_csv_is_kept_as_typed(site, name, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "organisations.csv"
    with path.open("w", newline="") as file:
        csv.writer(file).writerow(["name", "kind", "region", "code", "size_band", "parent_code"])
        csv.writer(file).writerow([name, "district", "south_west", "E07000999", "small", ""])
    call_command("import_organisations", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Organisation.objects.get(code="E07000999").name == name
    assert_database_clean()


# --- Uploads: framework files -------------------------------------------------------------------

FRAMEWORK_SPEC_NAMES = {
    "framework": KEPT["script"],
    "dimension": KEPT["plotly_label"],
    "question": KEPT["formula_equals"],
}


def _framework_file(slug="hostile-file", **names) -> str:
    """A small valid framework file (JSON is YAML too) whose names are given."""
    names = {**{"framework": "Plain", "dimension": "Plain", "question": "Plain?"}, **names}
    levels = {str(v): f"At level {v}." for v in range(1, 6)}
    return json.dumps(
        {
            "format": "maturity-framework/1",
            "framework": {
                "slug": slug,
                "name": names["framework"],
                "version": "1.0.0",
                "description": "Made for the hostile input tests.",
                "scale": {
                    "levels": [
                        {"value": v, "label": f"Level {v}", "description": f"Level {v}."}
                        for v in range(1, 6)
                    ]
                },
                "dimensions": [
                    {
                        "slug": "dim-a",
                        "name": names["dimension"],
                        "questions": [{"slug": "q-a", "text": names["question"], "levels": levels}],
                    },
                    {
                        "slug": "dim-b",
                        "name": "Second",
                        "questions": [{"slug": "q-b", "text": "Second?", "levels": levels}],
                    },
                ],
            },
        }
    )


def _deep_yaml(depth):
    return "format: maturity-framework/1\nframework: " + "[" * depth + "]" * depth + "\n"


BAD_FRAMEWORK_FILES = {
    "deep-yaml": ("deep.yaml", _deep_yaml(30_000), "levels deep"),
    "deep-json": ("deep.json", '{"framework": ' + "[" * 30_000 + "]" * 30_000 + "}", "levels deep"),
    "nul-in-yaml": ("nul.yaml", _framework_file().replace("Plain?", "Pla\x00in?"), "line"),
    "nul-in-json": ("nul.json", _framework_file().replace("Plain?", "Pla\\u0000in?"), "null"),
    "wrong-types": (
        "types.json",
        _framework_file().replace('"slug": "dim-a"', '"slug": ["dim-a"]'),
        "dim",
    ),
    "not-utf8": ("latin.yaml", "name: caf\xe9".encode("latin-1"), "UTF-8"),
    "binary": ("image.yaml", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "UTF-8"),
    "billion-laughs": (
        "laughs.yaml",
        'a: &a ["lol","lol"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n',
        "anchors",
    ),
    "script-extension": ("framework.html", _framework_file(), ".yaml, .yml or .json"),
    "oversized": (
        "big.yaml",
        _framework_file() + "\n#" + "x" * settings.FRAMEWORK_FILE_MAX_BYTES,
        "smaller than",
    ),
}


def _upload(name, content):
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "content", "message"), BAD_FRAMEWORK_FILES.values(), ids=BAD_FRAMEWORK_FILES.keys()
)
def test_a_hostile_framework_file_is_refused(site, name, content, message):
    before = snapshot()
    response = site.client(site.editor).submit(
        reverse("frameworks:import"), {"file": _upload(name, content)}
    )
    assert_not_crashed(response)
    assert_refused_on_page(response, message)
    assert snapshot() == before
    assert_database_clean()


def test_hostile_names_in_a_framework_file_are_kept_and_shown_inert(site, tmp_path):
    response = site.client(site.editor).submit(
        reverse("frameworks:import"),
        {"file": _upload("hostile.json", _framework_file(**FRAMEWORK_SPEC_NAMES)), "publish": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    fv = FrameworkVersion.objects.get(framework__slug="hostile-file")
    assert fv.name == FRAMEWORK_SPEC_NAMES["framework"]
    assert fv.dimensions.get(slug="dim-a").name == FRAMEWORK_SPEC_NAMES["dimension"]
    version_page = Where(
        "html", lambda s: reverse("frameworks:version", args=["hostile-file", "1.0.0"]), ANONYMOUS
    )
    questionnaire = Where(
        "pdf",
        lambda s: reverse("frameworks:questionnaire_pdf", args=["hostile-file", "1.0.0"]),
        ANONYMOUS,
    )
    for value in FRAMEWORK_SPEC_NAMES.values():
        assert_shown_inert(site, version_page, value, tmp_path)
    text = squeezed(pdf_text(_fetch(site, questionnaire).content, tmp_path))
    for value in FRAMEWORK_SPEC_NAMES.values():
        assert squeezed(value) in text
    # Assessed and submitted, the names reach the dashboard's charts, still inert.
    submit(site.org, fv, [2, 2], round_label="2025/26")
    dashboard = Where(
        "json", lambda s: reverse("benchmarks:dashboard", args=[s.org.pk, "hostile-file"]), LEAD
    )
    assert_shown_inert(site, dashboard, FRAMEWORK_SPEC_NAMES["dimension"], tmp_path)
    assert_database_clean()


# --- Uploads: logos -----------------------------------------------------------------------------


def _png(width=40, height=20) -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


BAD_LOGOS = {
    "truncated-png": ("logo.png", _png()[:-40], "could not be read"),
    "not-an-image": ("logo.png", b"<svg onload=alert(1)></svg>", "must be a PNG or JPEG"),
    "script-named-png": ("<script>.png", b"<script>alert(1)</script>", "must be a PNG or JPEG"),
    "oversized": ("logo.png", _png() + b"\x00" * 600 * 1024, "smaller than 500 KB"),
    "empty": ("logo.png", b"", "empty"),
}


@pytest.mark.parametrize(("name", "content", "message"), BAD_LOGOS.values(), ids=BAD_LOGOS.keys())
def test_a_hostile_logo_is_refused(site, name, content, message):
    before = snapshot()
    response = site.client(site.consultant).submit(
        reverse("reports:branding"),
        {"display_name": "Firm", "logo": SimpleUploadedFile(name, content, "image/png")},
    )
    assert_not_crashed(response)
    assert_refused_on_page(response, message)
    assert snapshot() == before


def test_a_truncated_logo_is_refused_after_a_report_was_drawn(site, tmp_path):
    """WeasyPrint relaxes Pillow for the whole process; the logo check must not be relaxed."""
    _fetch(site, Where("pdf", _assessment("reports:report_pdf", "submitted"), CONSULTANT))
    name, content, message = BAD_LOGOS["truncated-png"]
    response = site.client(site.consultant).submit(
        reverse("reports:branding"),
        {"display_name": "Firm", "logo": SimpleUploadedFile(name, content, "image/png")},
    )
    assert_refused_on_page(response, message)
    assert not ConsultantBranding.objects.exists()


# --- Bodies too big for any form ----------------------------------------------------------------


def test_a_body_over_the_size_limit_gets_a_readable_refusal(site):
    client = site.client(site.lead)
    before = snapshot()
    response = client.submit(
        reverse("accounts:account"),
        {"full_name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)},
    )
    assert response.status_code in (400, 413)
    assert b"<h1" in response.content and b"too large" in response.content.lower()
    assert snapshot() == before


def test_a_body_with_too_many_fields_gets_a_readable_refusal(site):
    client = site.client(site.lead)
    before = snapshot()
    fields = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.submit(reverse("accounts:account"), {"full_name": "Name", **fields})
    assert response.status_code in (400, 413)
    assert b"<h1" in response.content and b"too large" in response.content.lower()
    assert snapshot() == before


def test_an_upload_with_too_many_files_gets_a_readable_refusal(site):
    before = snapshot()
    files = [
        SimpleUploadedFile(f"f{n}.yaml", b"x: 1")
        for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    ]
    response = site.client(site.editor).submit(reverse("frameworks:import"), {"file": files})
    assert response.status_code == 400
    assert b"<h1" in response.content and b"too large" in response.content.lower()
    assert snapshot() == before


def test_an_autosave_over_the_size_limit_answers_json_the_page_can_show(site):
    """Autosave reads JSON: an HTML refusal made the page say the person had been signed out."""
    client = site.client(site.respondent)
    page = client.get(_question("assessments:question")(site))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    before = snapshot()
    response = client.post(
        _question("assessments:autosave")(site),
        {
            "answer": "2",
            "version": "0",
            "evidence": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        },
        headers={"X-CSRFToken": token.decode(), "Accept": "application/json"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "too-large"
    assert "too large" in body["message"].lower()
    assert snapshot() == before


def test_a_hostile_host_header_gets_a_readable_refusal(site):
    response = site.client(None).get("/", headers={"host": '"><script>alert(1)</script>'})
    assert response.status_code == 400
    assert b"<h1" in response.content and b"<script>alert(1)" not in response.content
