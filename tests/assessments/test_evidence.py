"""Evidence files on answers: kinds told by content, limits, safe names and unguessable keys,
who may download, carry-over by reference, removal and erasure, the scanner hook, and the
report's and spreadsheet's listings."""

import hashlib
import io
import os
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from assessments import evidence, services
from assessments.models import AgreedAnswer, EvidenceFile, EvidenceLink
from frameworks.models import Question
from maturity.audit.describe import describers
from maturity.audit.models import AuditEvent
from organisations.models import Role
from reports.report import report_context
from tests import evidence_files as make
from tests.conftest import CsrfClient
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, make_version
from tests.pdf import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def scanner_flags_eicar(upload):
    """A stand-in scanner: flags the EICAR test string, as real scanners do."""
    return "it contains the EICAR test virus" if b"EICAR" in upload.read() else None


@pytest.fixture
def body():
    org = OrganisationFactory(name="Kappa Borough Council")
    people = {
        role: MembershipFactory(
            organisation=org, role=role, user=UserFactory(email=f"{role}@kappa.example")
        ).user
        for role in (Role.LEAD, Role.RESPONDENT, Role.VIEWER)
    }
    people["colleague"] = MembershipFactory(
        organisation=org, role=Role.RESPONDENT, user=UserFactory(email="colleague@kappa.example")
    ).user
    fv = make_version(dimensions=1, questions=2)
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=people[Role.LEAD]
    )
    questions = list(Question.objects.filter(dimension__framework_version=fv).order_by("position"))
    return org, people, fv, assessment, questions


def signed_in(user) -> CsrfClient:
    client = CsrfClient()
    client.force_login(user)
    return client


def urls(assessment, question, *, agreed=False):
    kwargs = {"pk": assessment.organisation_id, "apk": assessment.pk, "qpk": question.pk}
    return reverse(
        "assessments:agree_evidence_attach" if agreed else "assessments:evidence_attach",
        kwargs=kwargs,
    )


def file_url(assessment, stored, name="evidence_file"):
    return reverse(
        f"assessments:{name}",
        kwargs={"pk": assessment.organisation_id, "apk": assessment.pk, "fpk": stored.pk},
    )


def attach(assessment, question, user, name, content, *, agreed=False):
    return services.evidence_attach(
        assessment=assessment,
        question=question,
        user=user,
        upload=make.upload(name, content),
        agreed=agreed,
    )


def download(client, url) -> tuple[object, bytes]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


ALLOWED = [
    ("minutes.pdf", make.pdf, "PDF", "pdf"),
    ("photo.png", make.png, "PNG image", "png"),
    ("whiteboard.jpeg", make.jpeg, "JPEG image", "jpg"),
    ("strategy.docx", make.docx, "Word document", "docx"),
    ("register.xlsx", make.xlsx, "Excel spreadsheet", "xlsx"),
    ("notes.odt", make.odt, "OpenDocument text", "odt"),
]


@pytest.mark.parametrize(("name", "content", "label", "extension"), ALLOWED)
def test_each_allowed_kind_is_kept_with_its_checksum_size_and_uploader(
    body, name, content, label, extension
):
    org, people, _, assessment, questions = body
    data = content()
    respondent = people[Role.RESPONDENT]
    client = signed_in(respondent)
    response = client.submit(
        urls(assessment, questions[0]), {"file": make.upload(name, data, "text/plain")}
    )
    assert response.status_code == 302
    stored = EvidenceFile.objects.get()
    assert stored.kind_label == label and stored.name.endswith(f".{extension}")
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.uploaded_by == respondent and stored.organisation == org
    assert stored.links.get().answer.respondent == respondent
    with default_storage.open(stored.key, "rb") as blob:
        assert blob.read() == data
    page = client.get(response["Location"]).content.decode()
    assert stored.name in page and label in page


REFUSED = [
    ("plan.docm", lambda: make.docx(macros=True), "contains macros"),
    ("budget.xlsx", lambda: make.xlsx(vba_part=True), "contains macros"),
    ("notes.odt", lambda: make.odt(macros=True), "contains macros"),
    ("minutes.doc", make.legacy_doc, "old-style Office file"),
    ("report.pdf", make.exe, "must be a PDF, Word (.docx)"),
    ("page.html", lambda: b"<html><script>alert(1)</script></html>", "must be a PDF"),
]


@pytest.mark.parametrize(("name", "content", "reason"), REFUSED)
def test_refused_kinds_say_which_file_and_why_and_change_nothing(body, name, content, reason):
    _, people, _, assessment, questions = body
    client = signed_in(people[Role.RESPONDENT])
    events = AuditEvent.objects.count()
    response = client.submit(
        urls(assessment, questions[0]), {"file": make.upload(name, content(), "application/pdf")}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "govuk-error-summary" in text and "govuk-file-upload--error" in text
    assert f"The file “{name}” " in text and reason in text
    assert EvidenceFile.objects.count() == 0 and AuditEvent.objects.count() == events
    assert not default_storage.exists("evidence") or default_storage.listdir("evidence")[1] == []


def test_no_file_chosen_asks_for_one(body):
    _, people, _, assessment, questions = body
    response = signed_in(people[Role.RESPONDENT]).submit(urls(assessment, questions[0]), {})
    assert "Select a file to attach" in response.content.decode()
    assert EvidenceFile.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(body, settings):
    _, people, _, assessment, questions = body
    settings.EVIDENCE_FILE_MAX_BYTES = 2048
    big = make.pdf() + b"%" * 3000
    response = signed_in(people[Role.RESPONDENT]).submit(
        urls(assessment, questions[0]), {"file": make.upload("big.pdf", big)}
    )
    assert "The file “big.pdf” is larger than 2 KB" in response.content.decode()
    assert EvidenceFile.objects.count() == 0


def test_the_assessments_total_limit_counts_every_file_once(body, settings):
    _, people, _, assessment, questions = body
    data = make.pdf()
    settings.EVIDENCE_ASSESSMENT_MAX_BYTES = 2 * len(data) + 10
    attach(assessment, questions[0], people[Role.RESPONDENT], "a.pdf", data)
    attach(assessment, questions[1], people["colleague"], "b.pdf", data)
    with pytest.raises(services.EvidenceRefused, match="over their limit"):
        attach(assessment, questions[1], people[Role.LEAD], "c.pdf", data, agreed=True)
    assert EvidenceFile.objects.count() == 2


def test_names_are_made_safe_and_keys_are_unguessable_and_hold_no_name(body):
    _, people, _, assessment, questions = body
    first = attach(
        assessment,
        questions[0],
        people[Role.RESPONDENT],
        '../../etc/"Ŵales"; rm -rf.pdf',
        make.pdf(),
    )
    second = attach(assessment, questions[0], people[Role.RESPONDENT], "same.pdf", make.pdf())
    assert first.name == "Wales-rm--rf.pdf"  # the one rule of maturity.downloads
    for stored in (first, second):
        assert stored.key.startswith("evidence/") and len(stored.key) >= len("evidence/") + 40
        assert "Wales" not in stored.key and "same" not in stored.key
    assert first.key != second.key


def test_a_download_is_an_attachment_with_nosniff_and_the_detected_type(body):
    _, people, _, assessment, questions = body
    stored = attach(
        assessment, questions[0], people[Role.RESPONDENT], "photo.pdf", make.png()
    )  # named .pdf, but a PNG
    response, content = download(signed_in(people[Role.RESPONDENT]), file_url(assessment, stored))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="photo.png"'
    assert content == make.png()


def test_a_respondents_file_is_theirs_and_the_leads_only(body):
    _, people, _, assessment, questions = body
    stored = attach(assessment, questions[0], people[Role.RESPONDENT], "mine.pdf", make.pdf())
    url = file_url(assessment, stored)
    for who, status in (
        (Role.RESPONDENT, 200),
        (Role.LEAD, 200),
        ("colleague", 404),
        (Role.VIEWER, 404),
    ):
        response, _ = download(signed_in(people[who]), url)
        assert response.status_code == status, who
    # Still theirs alone once the assessment is submitted.
    for question in questions:
        services.agreed_answer_save(
            assessment=assessment,
            question=question,
            lead=people[Role.LEAD],
            data=services.AnswerData(state="level", level=2),
            base_version=0,
        )
    services.assessment_submit(assessment=assessment, user=people[Role.LEAD])
    for who in ("colleague", Role.VIEWER):
        assert download(signed_in(people[who]), url)[0].status_code == 404


def test_agreed_files_are_for_the_lead_until_submitted_then_for_everyone_who_sees_results(body):
    _, people, _, assessment, questions = body
    stored = attach(
        assessment, questions[0], people[Role.LEAD], "agreed.pdf", make.pdf(), agreed=True
    )
    url = file_url(assessment, stored)
    assert download(signed_in(people[Role.VIEWER]), url)[0].status_code == 404
    assert download(signed_in(people[Role.LEAD]), url)[0].status_code == 200
    _agree_all(assessment, questions, people[Role.LEAD])
    services.assessment_submit(assessment=assessment, user=people[Role.LEAD])
    assert download(signed_in(people[Role.VIEWER]), url)[0].status_code == 200


def test_another_organisations_file_is_404_through_your_own_url(body):
    org, people, fv, assessment, questions = body
    other = OrganisationFactory()
    other_lead = MembershipFactory(organisation=other, role=Role.LEAD).user
    theirs = services.assessment_start(
        organisation=other, framework_version=fv, round_label="2026/27", user=other_lead
    )
    stored = attach(theirs, questions[0], other_lead, "theirs.pdf", make.pdf(), agreed=True)
    url = reverse(
        "assessments:evidence_file",
        kwargs={"pk": org.pk, "apk": assessment.pk, "fpk": stored.pk},
    )
    assert download(signed_in(people[Role.LEAD]), url)[0].status_code == 404


def _agree_all(assessment, questions, lead, level=3):
    for question in questions:
        row = AgreedAnswer.objects.filter(assessment=assessment, question=question).first()
        services.agreed_answer_save(
            assessment=assessment,
            question=question,
            lead=lead,
            data=services.AnswerData(state="level", level=level),
            base_version=row.version if row else 0,
        )


def test_agreed_files_carry_over_to_the_next_round_as_the_same_stored_file(body):
    org, people, fv, assessment, questions = body
    lead = people[Role.LEAD]
    stored = attach(assessment, questions[0], lead, "policy.pdf", make.pdf(), agreed=True)
    attach(assessment, questions[0], people[Role.RESPONDENT], "own.pdf", make.png())
    _agree_all(assessment, questions, lead)
    services.assessment_submit(assessment=assessment, user=lead)
    blobs = default_storage.listdir("evidence")[1]
    following = services.assessment_start(
        organisation=org,
        framework_version=fv,
        round_label="2027/28",
        user=lead,
        carry_from=assessment,
    )
    link = EvidenceLink.objects.get(assessment=following)
    assert link.file_id == stored.pk and link.agreed_answer.question == questions[0]
    assert EvidenceFile.objects.count() == 2  # not copied
    assert default_storage.listdir("evidence")[1] == blobs
    # A respondent's own file stays in its round.
    assert not EvidenceLink.objects.filter(assessment=following, answer__isnull=False).exists()
    event = AuditEvent.objects.get(action="assessment.start", object_id=str(following.pk))
    assert event.changes["files_carried_over"] == 1


def use_url(assessment, question, stored):
    return reverse(
        "assessments:agree_evidence_use",
        kwargs={
            "pk": assessment.organisation_id,
            "apk": assessment.pk,
            "qpk": question.pk,
            "fpk": stored.pk,
        },
    )


def test_a_lead_uses_a_respondents_file_for_the_agreed_answer_without_copying_it(body):
    """Otherwise a respondent's file never reaches the report or the next round, unless the
    lead downloads it and attaches it again."""
    org, people, fv, assessment, questions = body
    lead, respondent = people[Role.LEAD], people[Role.RESPONDENT]
    services.answer_save(
        assessment=assessment,
        question=questions[0],
        respondent=respondent,
        data=services.AnswerData(state="level", level=2),
        base_version=0,
    )
    stored = attach(assessment, questions[0], respondent, "register.xlsx", make.xlsx())
    client = signed_in(lead)
    agree_page = reverse(
        "assessments:agree_question",
        kwargs={"pk": org.pk, "apk": assessment.pk, "qpk": questions[0].pk},
    )
    assert use_url(assessment, questions[0], stored) in client.get(agree_page).content.decode()

    page = client.get(use_url(assessment, questions[0], stored))
    assert page.status_code == 200 and b"everyone who can see its results" in page.content
    assert not EvidenceLink.objects.filter(agreed_answer__isnull=False).exists()
    response = client.submit(use_url(assessment, questions[0], stored), {})
    assert response.status_code == 302 and response.url == agree_page
    agreed = EvidenceLink.objects.get(agreed_answer__isnull=False)
    assert agreed.file_id == stored.pk and agreed.agreed_answer.question == questions[0]
    assert EvidenceFile.objects.count() == 1  # the same file, on both answers
    assert EvidenceLink.objects.filter(answer__respondent=respondent, file=stored).exists()
    # Offered no more; asking again adds nothing.
    assert use_url(assessment, questions[0], stored) not in client.get(agree_page).content.decode()
    client.submit(use_url(assessment, questions[0], stored), {})
    assert EvidenceLink.objects.filter(agreed_answer__isnull=False).count() == 1
    [event] = AuditEvent.objects.filter(action="evidence.use_for_agreed")
    [line] = describers.describe([event])
    assert line.sentence.endswith(
        " used 'register.xlsx' as evidence for the agreed answer in the 2026/27 assessment"
    )

    _agree_all(assessment, questions, lead)
    services.assessment_submit(assessment=assessment, user=lead)
    listed = [f["name"] for f in report_context(assessment=assessment)["evidence_files"]]
    assert listed == ["register.xlsx"]
    following = services.assessment_start(
        organisation=org,
        framework_version=fv,
        round_label="2027/28",
        user=lead,
        carry_from=assessment,
    )
    assert EvidenceLink.objects.get(assessment=following).file_id == stored.pk


def test_only_a_lead_uses_a_file_and_only_one_on_an_answer_to_that_question(body):
    _, people, _, assessment, questions = body
    respondent = people[Role.RESPONDENT]
    stored = attach(assessment, questions[0], respondent, "register.xlsx", make.xlsx())
    mine = attach(
        assessment, questions[0], people[Role.LEAD], "agreed.pdf", make.pdf(), agreed=True
    )
    for person in (respondent, people[Role.VIEWER]):
        assert signed_in(person).get(use_url(assessment, questions[0], stored)).status_code == 403
    lead = signed_in(people[Role.LEAD])
    # Not on an answer to this question; not on someone's own answer at all.
    assert lead.get(use_url(assessment, questions[1], stored)).status_code == 404
    assert lead.get(use_url(assessment, questions[0], mine)).status_code == 404
    assert lead.submit(use_url(assessment, questions[1], stored), {}).status_code == 404
    assert EvidenceLink.objects.filter(agreed_answer__isnull=False).count() == 1


def test_a_lead_erases_a_file_from_every_round_even_submitted(body, tmp_path):
    org, people, fv, assessment, questions = body
    lead = people[Role.LEAD]
    stored = attach(assessment, questions[0], lead, "named-person.pdf", make.pdf(), agreed=True)
    _agree_all(assessment, questions, lead)
    services.assessment_submit(assessment=assessment, user=lead)
    following = services.assessment_start(
        organisation=org,
        framework_version=fv,
        round_label="2027/28",
        user=lead,
        carry_from=assessment,
    )
    client = signed_in(lead)
    report_url = reverse("reports:report_pdf", kwargs={"pk": org.pk, "apk": assessment.pk})
    assert "named-person.pdf" in pdf_text(client.get(report_url).content, tmp_path)
    url = file_url(following, stored, "evidence_erase")
    page = client.get(url).content.decode()
    assert "govuk-warning-text" in page and "2026/27, 2027/28" in page
    assert EvidenceFile.objects.filter(pk=stored.pk).exists()  # a GET erases nothing
    response = client.submit(url)
    assert response.status_code == 302
    assert not EvidenceFile.objects.exists() and not EvidenceLink.objects.exists()
    assert not default_storage.exists(stored.key)
    event = AuditEvent.objects.get(action="evidence.erase")
    assert event.actor == lead and event.changes["name"] == "named-person.pdf"
    [line] = describers.describe([event])
    assert "erased 'named-person.pdf' for good from the 2026/27 and 2027/28 assessments" in (
        line.sentence
    )
    # Drawn again, not the copy drawn a moment ago.
    assert "named-person" not in pdf_text(client.get(report_url).content, tmp_path)


def test_only_a_lead_may_erase(body):
    _, people, _, assessment, questions = body
    stored = attach(assessment, questions[0], people[Role.RESPONDENT], "mine.pdf", make.pdf())
    url = file_url(assessment, stored, "evidence_erase")
    assert signed_in(people[Role.RESPONDENT]).get(url).status_code == 403
    assert EvidenceFile.objects.filter(pk=stored.pk).exists()


def test_a_respondent_removes_their_own_file_which_deletes_it(body):
    _, people, _, assessment, questions = body
    respondent = people[Role.RESPONDENT]
    stored = attach(assessment, questions[0], respondent, "mine.pdf", make.pdf())
    url = reverse(
        "assessments:evidence_remove",
        kwargs={
            "pk": assessment.organisation_id,
            "apk": assessment.pk,
            "qpk": questions[0].pk,
            "fpk": stored.pk,
        },
    )
    # A colleague has no such file on their answer.
    assert signed_in(people["colleague"]).get(url).status_code == 404
    response = signed_in(respondent).submit(url)
    assert response.status_code == 302
    assert not EvidenceFile.objects.exists() and not default_storage.exists(stored.key)
    attached, removed = describers.describe(
        AuditEvent.objects.filter(action__startswith="evidence.").order_by("pk")
    )
    assert attached.kind.label == "Evidence files attached, removed or erased"
    assert attached.sentence.endswith(
        "attached 'mine.pdf' to their answer in the 2026/27 assessment"
    )
    assert removed.sentence.endswith(
        "removed 'mine.pdf' from an answer in the 2026/27 assessment, which deleted it"
    )


def test_removing_a_carried_file_from_this_round_keeps_it_in_the_last(body):
    org, people, fv, assessment, questions = body
    lead = people[Role.LEAD]
    stored = attach(assessment, questions[0], lead, "policy.pdf", make.pdf(), agreed=True)
    _agree_all(assessment, questions, lead)
    services.assessment_submit(assessment=assessment, user=lead)
    following = services.assessment_start(
        organisation=org,
        framework_version=fv,
        round_label="2027/28",
        user=lead,
        carry_from=assessment,
    )
    services.evidence_remove(link=EvidenceLink.objects.get(assessment=following), user=lead)
    assert EvidenceLink.objects.get().assessment == assessment
    assert default_storage.exists(stored.key)


def test_nothing_can_be_attached_to_a_submitted_assessment(body):
    _, people, _, assessment, questions = body
    lead = people[Role.LEAD]
    _agree_all(assessment, questions, lead)
    services.assessment_submit(assessment=assessment, user=lead)
    with pytest.raises(services.AssessmentLocked):
        attach(assessment, questions[0], lead, "late.pdf", make.pdf(), agreed=True)
    assert EvidenceFile.objects.count() == 0


def test_a_file_the_scanner_flags_is_refused(body, settings):
    _, people, _, assessment, questions = body
    settings.EVIDENCE_SCANNER = "tests.assessments.test_evidence.scanner_flags_eicar"
    infected = make.pdf() + b"% X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!"
    client = signed_in(people[Role.RESPONDENT])
    response = client.submit(
        urls(assessment, questions[0]), {"file": make.upload("scan.pdf", infected)}
    )
    assert (
        "The file “scan.pdf” was refused by the virus scanner: it contains the EICAR test virus"
        in response.content.decode()
    )
    assert EvidenceFile.objects.count() == 0
    clean = client.submit(
        urls(assessment, questions[0]), {"file": make.upload("clean.pdf", make.pdf())}
    )
    assert clean.status_code == 302 and EvidenceFile.objects.count() == 1


def test_the_report_and_spreadsheet_list_the_agreed_answers_files(body, tmp_path):
    org, people, _, assessment, questions = body
    lead = people[Role.LEAD]
    # Made once: openpyxl stamps the time in the file, so two makes can differ in size.
    register = make.xlsx()
    attach(assessment, questions[1], lead, "Asset register.xlsx", register, agreed=True)
    attach(assessment, questions[0], people[Role.RESPONDENT], "private.pdf", make.pdf())
    _agree_all(assessment, questions, lead)
    services.assessment_submit(assessment=assessment, user=lead)
    client = signed_in(people[Role.VIEWER])
    kwargs = {"pk": org.pk, "apk": assessment.pk}
    text = " ".join(
        pdf_text(client.get(reverse("reports:report_pdf", kwargs=kwargs)).content, tmp_path).split()
    )
    assert "Evidence files" in text and "Asset-register.xlsx" in text
    assert "Excel spreadsheet" in text and "private" not in text
    book = load_workbook(
        io.BytesIO(client.get(reverse("reports:export_xlsx", kwargs=kwargs)).content)
    )
    rows = [list(r) for r in book["Files"].iter_rows(values_only=True)]
    assert rows[0] == ["Question", "File", "Type", "Size (bytes)", "Attached by", "Attached"]
    assert len(rows) == 2
    assert rows[1][0].endswith(questions[1].text) and rows[1][1:4] == [
        "Asset-register.xlsx",
        "Excel spreadsheet",
        len(register),
    ]


# Session, user, membership, assessment, scale levels, the questions, the page's own question's
# levels, this person's answer, the agreed answer carried over, the answer's files.
QUESTION_PAGE_WITH_FILES = 10


@pytest.mark.parametrize("count", [1, 5])
def test_question_page_query_count_is_the_same_for_one_file_and_many(
    body, count, django_assert_num_queries
):
    _, people, _, assessment, questions = body
    respondent = people[Role.RESPONDENT]
    for n in range(count):
        attach(assessment, questions[0], respondent, f"file-{n}.pdf", make.pdf())
    client = signed_in(respondent)
    client.get("/")
    url = reverse(
        "assessments:question",
        kwargs={"pk": assessment.organisation_id, "apk": assessment.pk, "qpk": questions[0].pk},
    )
    with django_assert_num_queries(QUESTION_PAGE_WITH_FILES):
        page = client.get(url).content.decode()
    assert page.count("Remove<span") == count


# Session, user, membership, assessment, scale levels, the questions, the question's levels,
# the agreed answer, the respondents' answers, the agreed answer's files, theirs (one query).
AGREE_PAGE_WITH_FILES = 11


@pytest.mark.parametrize("count", [1, 4])
def test_agree_page_query_count_is_the_same_for_one_file_and_many(
    body, count, django_assert_num_queries
):
    _, people, _, assessment, questions = body
    for who in (Role.RESPONDENT, "colleague"):
        services.answer_save(
            assessment=assessment,
            question=questions[0],
            respondent=people[who],
            data=services.AnswerData(state="level", level=2),
            base_version=0,
        )
    for n in range(count):
        for who in (Role.RESPONDENT, "colleague"):
            attach(assessment, questions[0], people[who], f"{who}-{n}.pdf", make.pdf())
    attach(assessment, questions[0], people[Role.LEAD], "agreed.pdf", make.pdf(), agreed=True)
    client = signed_in(people[Role.LEAD])
    client.get("/")
    url = reverse(
        "assessments:agree_question",
        kwargs={"pk": assessment.organisation_id, "apk": assessment.pk, "qpk": questions[0].pk},
    )
    with django_assert_num_queries(AGREE_PAGE_WITH_FILES):
        page = client.get(url).content.decode()
    assert page.count("download>colleague-") == count and "agreed.pdf" in page
    assert page.count("Erase<span") == 2 * count + 1  # theirs and the agreed answer's


def test_a_scanner_that_cannot_be_found_fails_the_system_check(settings):
    from assessments.checks import evidence_scanner_importable

    settings.EVIDENCE_SCANNER = "no_such_module.scan"
    [error] = evidence_scanner_importable(None)
    assert error.id == "assessments.E001" and "no_such_module.scan" in error.msg
    settings.EVIDENCE_SCANNER = "tests.assessments.test_evidence.scanner_flags_eicar"
    assert evidence_scanner_importable(None) == []
    settings.EVIDENCE_SCANNER = ""
    assert evidence_scanner_importable(None) == []


@given(st.binary(max_size=400), st.sampled_from([b"", b"PK\x03\x04", b"%PDF-", OLE_HEADER]))
def test_any_bytes_are_told_apart_or_refused_never_an_error(tail, head):
    """Whatever is uploaded, the kind check says what it is or why not; it never fails."""
    try:
        kind = evidence.detect(io.BytesIO(head + tail))
    except evidence.Refused as refused:
        assert str(refused)
    else:
        assert kind in evidence.KINDS.values()


def test_a_damaged_zip_is_refused_as_not_a_document():
    damaged = make.docx()[:200]
    with pytest.raises(evidence.Refused, match="must be a PDF"):
        evidence.detect(io.BytesIO(damaged))


def test_files_left_without_answers_and_stray_blobs_are_pruned(body):
    _, people, _, assessment, questions = body
    kept = attach(assessment, questions[0], people[Role.RESPONDENT], "kept.pdf", make.pdf())
    orphan = attach(assessment, questions[1], people["colleague"], "gone.pdf", make.pdf())
    people["colleague"].delete()  # their answers go, and the links with them
    stray = default_storage.save("evidence/left-by-a-failed-save", io.BytesIO(b"x"))
    fresh = default_storage.save("evidence/being-saved-now", io.BytesIO(b"x"))
    old = (timezone.now() - timedelta(hours=2)).timestamp()
    os.utime(default_storage.path(stray), (old, old))
    out = io.StringIO()
    call_command("prune_evidence_files", stdout=out)
    assert "1 evidence file no answer uses deleted, and 1 stored blob" in out.getvalue()
    assert list(EvidenceFile.objects.all()) == [kept]
    assert not default_storage.exists(orphan.key) and not default_storage.exists(stray)
    assert default_storage.exists(kept.key) and default_storage.exists(fresh)
    event = AuditEvent.objects.get(action="evidence.prune")
    assert describers.describe([event])[0].sentence == (
        "The service deleted 'gone.pdf', which no answer used any more"
    )
    call_command("prune_evidence_files", stdout=(again := io.StringIO()))
    assert again.getvalue().startswith("0 evidence files no answer uses deleted, and 0 stored")
