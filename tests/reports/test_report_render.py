"""The board report is drawn by the task worker, never in the web request: the report URL
queues a render and shows a page that waits for it, then serves the file to its reader only."""

import io
import os
import threading
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import services
from frameworks.models import Question
from maturity import housekeeping
from maturity.accounts.branding import branding_save
from organisations.models import Organisation, Role
from reports import rendering
from reports.models import ReportRender
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
from tests.reports.test_bulk_export import lock_waiters, run_worker

pytestmark = pytest.mark.django_db


def signed_in(user) -> CsrfClient:
    client = CsrfClient()
    client.force_login(user)
    return client


def report_url(assessment) -> str:
    return reverse(
        "reports:report_pdf", kwargs={"pk": assessment.organisation_id, "apk": assessment.pk}
    )


def no_pdf_in_the_request(*_, **__):
    raise AssertionError("The web request drew a PDF")


def run_queued_renders() -> None:
    """What the worker does for each queued render task."""
    for render in ReportRender.objects.filter(status=ReportRender.Status.QUEUED):
        rendering.report_render_run(render.pk)


@pytest.fixture
def body():
    fv = make_version(dimensions=2, questions=1)
    organisation = OrganisationFactory(
        name="Omicron Borough Council", kind=Organisation.Kind.UNITARY, code="E06000777"
    )
    assessment, lead = submit(organisation, fv, [2, 4], round_label="2026/27")
    viewer = MembershipFactory(organisation=organisation, role=Role.VIEWER).user
    return assessment, lead, viewer


@pytest.mark.django_db(transaction=True)
def test_the_report_is_drawn_by_the_worker_and_the_page_waits_for_it(body, monkeypatch, tmp_path):
    assessment, lead, _ = body
    client = signed_in(lead)
    with monkeypatch.context() as patched:
        patched.setattr(rendering, "render_pdf", no_pdf_in_the_request)
        waiting = client.get(report_url(assessment))
        again = client.get(report_url(assessment))

    assert waiting.status_code == 202 and again.status_code == 202
    page = waiting.content.decode()
    assert '<h1 class="govuk-heading-l">Your report is being prepared</h1>' in page
    # Asking twice queues one render, with its one task.
    render = ReportRender.objects.get()
    check_again = f"{report_url(assessment)}?render={render.pk}"
    # Checked again by a script every 2 seconds (a timed meta refresh would fail WCAG 2.2.1).
    assert "http-equiv" not in page
    assert f'data-check-url="{check_again}"' in page
    assert f'href="{check_again}">Check again</a>' in page
    assert "Content-Disposition" not in waiting
    assert render.status == ReportRender.Status.QUEUED and not render.file
    assert DBTaskResult.objects.filter(pk=render.task_id, status="READY").count() == 1
    assert DBTaskResult.objects.count() == 1

    run_worker()

    render.refresh_from_db()
    assert render.status == ReportRender.Status.DONE and render.requested_by == lead
    with monkeypatch.context() as patched:
        patched.setattr(rendering, "render_pdf", no_pdf_in_the_request)
        response = client.get(report_url(assessment))
        # Downloading again serves the same file: nothing is drawn or queued.
        second = client.get(report_url(assessment))
    assert response.status_code == 200 and second.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="E06000777-test-framework-2026-27.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content, tmp_path)
    assert "Omicron Borough Council" in text
    assert "Dimension 1" in text and "Dimension 2" in text
    assert "Spread" in text  # the lead's copy
    assert second.content == response.content
    assert DBTaskResult.objects.count() == 1


def test_each_reader_gets_their_own_copy_and_an_outsider_gets_nothing(body, tmp_path):
    assessment, lead, viewer = body
    outsider = UserFactory()
    assert signed_in(lead).get(report_url(assessment)).status_code == 202
    run_queued_renders()
    assert signed_in(lead).get(report_url(assessment)).status_code == 200

    # The viewer's copy has no spread of answers, so it is drawn for them, not handed the lead's.
    assert signed_in(viewer).get(report_url(assessment)).status_code == 202
    assert ReportRender.objects.filter(requested_by=viewer, with_spread=False).count() == 1
    run_queued_renders()
    response = signed_in(viewer).get(report_url(assessment))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "Omicron Borough Council" in text and "Spread" not in text
    lead_copy, viewer_copy = (
        ReportRender.objects.get(requested_by=lead),
        ReportRender.objects.get(requested_by=viewer),
    )
    assert lead_copy.file.name != viewer_copy.file.name
    assert viewer_copy.file.name.startswith("reports/") and len(viewer_copy.file.name) > 40

    assert signed_in(outsider).get(report_url(assessment)).status_code == 404
    assert not ReportRender.objects.filter(requested_by=outsider).exists()
    assert ReportRender.objects.count() == 2


def test_a_consultants_copy_follows_their_branding(body, tmp_path):
    assessment, _, _ = body
    consultant = ConsultantGrantFactory(organisation=assessment.organisation).consultant
    branding_save(consultant=consultant, display_name="Acme Advisory", logo=None, remove_logo=False)
    client = signed_in(consultant)
    assert client.get(report_url(assessment)).status_code == 202
    run_queued_renders()
    assert "Acme Advisory" in pdf_text(client.get(report_url(assessment)).content, tmp_path)

    branding_save(consultant=consultant, display_name="Zeta Partners", logo=None, remove_logo=False)
    assert client.get(report_url(assessment)).status_code == 202
    run_queued_renders()
    text = pdf_text(client.get(report_url(assessment)).content, tmp_path)
    assert "Zeta Partners" in text and "Acme Advisory" not in text


def test_a_changed_answer_is_never_served_from_an_older_copy(tmp_path):
    fv = make_version(dimensions=1, questions=1)
    organisation = OrganisationFactory()
    lead = MembershipFactory(organisation=organisation, role=Role.LEAD).user
    assessment = services.assessment_start(
        organisation=organisation, framework_version=fv, round_label="2026/27", user=lead
    )
    client = signed_in(lead)
    assert client.get(report_url(assessment)).status_code == 202
    run_queued_renders()
    before = pdf_text(client.get(report_url(assessment)).content, tmp_path)
    assert "Not answered" in before

    services.agreed_answer_save(
        assessment=assessment,
        question=Question.objects.get(dimension__framework_version=fv),
        lead=lead,
        data=services.AnswerData(state="level", level=3, target_level=5),
        base_version=0,
    )
    assert client.get(report_url(assessment)).status_code == 202
    run_queued_renders()
    after = pdf_text(client.get(report_url(assessment)).content, tmp_path)
    assert "Not answered" not in after and "3." in after


def test_an_action_added_changed_or_noted_is_never_served_from_an_older_copy(body, tmp_path):
    """The report's roadmap lists the improvement plan: a copy drawn before a change to it
    must not be served after."""
    from improvement.models import Action
    from improvement.services import action_create, action_note_add, action_set_status

    assessment, lead, _ = body
    client = signed_in(lead)

    def drawn() -> str:
        if client.get(report_url(assessment)).status_code == 202:
            run_queued_renders()
        return " ".join(pdf_text(client.get(report_url(assessment)).content, tmp_path).split())

    assert "Publish the data catalogue" not in drawn()
    action = action_create(assessment=assessment, by=lead, title="Publish the data catalogue")
    assert "Publish the data catalogue" in drawn()
    action_set_status(action=action, by=lead, status=Action.Status.IN_PROGRESS, base_version=0)
    assert "In progress" in drawn()
    action_note_add(action=action, by=lead, text="Funded.")
    assert "(1 note)" in drawn()


def test_the_waiting_page_gets_the_render_it_waits_for_while_answers_keep_changing(tmp_path):
    fv = make_version(dimensions=1, questions=1)
    organisation = OrganisationFactory()
    lead = MembershipFactory(organisation=organisation, role=Role.LEAD).user
    assessment = services.assessment_start(
        organisation=organisation, framework_version=fv, round_label="2026/27", user=lead
    )
    client = signed_in(lead)
    client.get(report_url(assessment))
    render = ReportRender.objects.get()
    check_again = f"{report_url(assessment)}?render={render.pk}"
    for version, level in enumerate([2, 3, 4]):
        # A colleague saves an answer between two checks of the waiting page.
        services.agreed_answer_save(
            assessment=assessment,
            question=Question.objects.get(dimension__framework_version=fv),
            lead=lead,
            data=services.AnswerData(state="level", level=level, target_level=5),
            base_version=version,
        )
        assert client.get(check_again).status_code == 202
    assert ReportRender.objects.count() == 1  # no render queued per check
    run_queued_renders()
    response = client.get(check_again)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert organisation.name in pdf_text(response.content, tmp_path)
    # Another person cannot fetch it by its number: they get their own render.
    viewer = MembershipFactory(organisation=organisation, role=Role.VIEWER).user
    assert signed_in(viewer).get(check_again).status_code == 202
    assert ReportRender.objects.get(requested_by=viewer).pk != render.pk


def test_a_failed_render_says_why_and_can_be_tried_again(body, monkeypatch):
    assessment, lead, _ = body
    client = signed_in(lead)
    client.get(report_url(assessment))
    render = ReportRender.objects.get()

    def broken(**_):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(rendering, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        rendering.report_render_run(render.pk)
    render.refresh_from_db()
    assert render.status == ReportRender.Status.FAILED and not render.file

    response = client.get(report_url(assessment))
    assert response.status_code == 200  # an answer, not "still working on it" (202)
    page = response.content.decode()
    assert "Your report could not be prepared" in page
    assert f"quote report number {render.pk}" in page
    assert "report-waiting" not in page  # it does not keep checking a render that failed
    monkeypatch.undo()

    retried = client.submit(report_url(assessment))
    assert retried.status_code == 302 and retried["Location"] == report_url(assessment)
    assert client.get(report_url(assessment)).status_code == 202
    fresh = ReportRender.objects.get()
    assert fresh.pk != render.pk and fresh.status == ReportRender.Status.QUEUED
    run_queued_renders()
    assert client.get(report_url(assessment)).status_code == 200


def test_a_render_whose_worker_died_is_failed_by_the_workers_housekeeping(body):
    assessment, lead, _ = body
    client = signed_in(lead)
    client.get(report_url(assessment))
    ReportRender.objects.update(
        status=ReportRender.Status.RUNNING, started_at=timezone.now() - timedelta(minutes=6)
    )
    housekeeping.run()
    render = ReportRender.objects.get()
    assert render.status == ReportRender.Status.FAILED and render.error == rendering.STOPPED
    assert "the worker drawing it stopped" in client.get(report_url(assessment)).content.decode()


def test_a_render_whose_worker_died_is_failed_when_its_reader_looks(body):
    assessment, lead, _ = body
    client = signed_in(lead)
    client.get(report_url(assessment))
    ReportRender.objects.update(status=ReportRender.Status.RUNNING, started_at=timezone.now())
    assert "being prepared" in client.get(report_url(assessment)).content.decode()
    ReportRender.objects.update(started_at=timezone.now() - timedelta(minutes=6))
    page = client.get(report_url(assessment)).content.decode()
    assert "Your report could not be prepared" in page and "the worker drawing it stopped" in page


def test_a_render_that_has_not_started_after_two_minutes_says_the_worker_may_be_down(body):
    assessment, lead, _ = body
    client = signed_in(lead)
    client.get(report_url(assessment))
    assert "background worker may not be running" not in client.get(
        report_url(assessment)
    ).content.decode("utf-8")
    ReportRender.objects.update(created_at=timezone.now() - timedelta(minutes=3))
    assert "background worker may not be running" in client.get(
        report_url(assessment)
    ).content.decode("utf-8")


def test_drawn_reports_are_deleted_after_an_hour(body):
    assessment, lead, viewer = body
    for person in (lead, viewer):
        signed_in(person).get(report_url(assessment))
    run_queued_renders()
    old, recent = (
        ReportRender.objects.get(requested_by=lead),
        ReportRender.objects.get(requested_by=viewer),
    )
    ReportRender.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    stray = default_storage.save("reports/stray.pdf", ContentFile(b"%PDF"))
    old_stray = default_storage.save("reports/old-stray.pdf", ContentFile(b"%PDF"))
    two_hours_ago = (timezone.now() - timedelta(hours=2)).timestamp()
    os.utime(default_storage.path(old_stray), (two_hours_ago, two_hours_ago))

    housekeeping.run()

    assert not ReportRender.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(recent.file.name)
    assert default_storage.exists(stray)  # too new to be a stray: a worker may record it yet
    assert not default_storage.exists(old_stray)  # no render refers to it, and it is old

    out = io.StringIO()
    call_command("prune_exports", stdout=out)
    assert "0 drawn reports older than an hour deleted." in out.getvalue()
    # Asked for again, the old copy is drawn afresh.
    assert signed_in(lead).get(report_url(assessment)).status_code == 202


@pytest.mark.parametrize("number", ["abc", "-1", "99999999999999999999", "²", "1 OR 1=1"])
def test_a_render_number_that_is_not_one_asks_for_the_report_afresh(body, number):
    assessment, lead, _ = body
    response = signed_in(lead).get(report_url(assessment), {"render": number})
    assert response.status_code == 202
    assert ReportRender.objects.filter(requested_by=lead).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs two concurrent PostgreSQL connections"
)
def test_two_requests_at_once_queue_one_render(body):
    """Both requests find no render and insert one at the same moment: one row, one task.

    The test holds an uncommitted row with the same key while both start, so both queue behind
    it on the unique index every time; it then rolls it back and lets them race."""
    assessment, lead, _ = body
    key = rendering.render_key(user=lead, assessment=assessment, with_spread=True, branding=None)
    pids, found, errors = [], [], []

    def request():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.append(cursor.fetchone()[0])
            found.append(
                rendering.report_render_request(
                    user=lead, assessment=assessment, with_spread=True, branding=None
                ).pk
            )
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(2)]
    with transaction.atomic():
        ReportRender.objects.create(key=key, assessment=assessment, requested_by=lead)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while len(pids) < 2 or lock_waiters(pids) < 2:
            assert not errors, errors
            assert time.monotonic() < deadline, "both requests should be waiting on the key"
            time.sleep(0.02)
        transaction.set_rollback(True)
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    render = ReportRender.objects.get()
    assert found == [render.pk, render.pk]
    assert DBTaskResult.objects.count() == 1 and str(DBTaskResult.objects.get().pk) == (
        render.task_id
    )


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_the_waiting_pages_script_can_ask_without_downloading(body):
    """report-waiting.js asks with HEAD: 202 while the PDF is being drawn, then 200 and a PDF."""
    assessment, lead, _ = body
    client = signed_in(lead)
    client.get(report_url(assessment))
    check_again = f"{report_url(assessment)}?render={ReportRender.objects.get().pk}"

    waiting = client.head(check_again)
    assert waiting.status_code == 202 and waiting.content == b""
    assert ReportRender.objects.count() == 1

    run_worker()

    ready = client.head(check_again)
    assert ready.status_code == 200 and ready["Content-Type"] == "application/pdf"
    assert ready.content == b""
