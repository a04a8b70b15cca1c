"""A lead's download of all their organisation's data as one JSON file."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import AgreedAnswer, Answer, Score
from frameworks.models import Question
from maturity.audit.models import AuditEvent
from organisations.models import Role
from organisations.selectors import organisation_access
from organisations.services import invitation_create
from reports.organisation_data import organisation_data_download
from tests.conftest import CsrfClient
from tests.factories import (
    ConsultantGrantFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
)

pytestmark = pytest.mark.django_db


def _round(organisation, fv, people, label, *, submit=True):
    """An assessment with both respondents' answers and the lead's agreed ones."""
    assessment = services.assessment_start(
        organisation=organisation, framework_version=fv, round_label=label, user=people["lead"]
    )
    for n, question in enumerate(Question.objects.filter(dimension__framework_version=fv)):
        for who, level in (("respondent", 1), ("colleague", 4)):
            services.answer_save(
                assessment=assessment,
                question=question,
                respondent=people[who],
                data=services.AnswerData(
                    state="level",
                    level=level,
                    evidence=f"{who}'s evidence for {question.slug} in {label}",
                    links="https://intranet.example/a\nhttps://intranet.example/b",
                ),
                base_version=0,
            )
        services.agreed_answer_save(
            assessment=assessment,
            question=question,
            lead=people["lead"],
            data=services.AnswerData(
                state="level", level=2 + n % 3, target_level=5, evidence=f"agreed {label}"
            ),
            base_version=0,
        )
    if submit:
        services.assessment_submit(assessment=assessment, user=people["lead"])
    return assessment


def _body(name, code, rounds, fv=None):
    organisation = OrganisationFactory(name=name, code=code)
    tag = code.lower()
    people = {
        role: MembershipFactory(
            organisation=organisation,
            role=role_value,
            user=UserFactory(email=f"{role}@{tag}.example", full_name=f"{role.title()} {tag}"),
        ).user
        for role, role_value in (
            ("lead", Role.LEAD),
            ("respondent", Role.RESPONDENT),
            ("colleague", Role.RESPONDENT),
            ("viewer", Role.VIEWER),
        )
    }
    people["consultant"] = ConsultantGrantFactory(
        organisation=organisation,
        consultant=UserFactory(email=f"consultant@{tag}-firm.example"),
        granted_by=people["lead"],
    ).consultant
    invitation_create(
        organisation=organisation,
        email=f"invited@{tag}.example",
        role=Role.VIEWER,
        invited_by=people["lead"],
        base_url="http://testserver/",
    )
    fv = fv or make_version(dimensions=2, questions=2)
    for n in range(rounds):
        _round(organisation, fv, people, f"20{20 + n}/{21 + n}", submit=n < rounds - 1)
    return organisation, people


@pytest.fixture
def body():
    return _body("Omega Borough Council", "E09000001", rounds=2)


def download(user, organisation):
    client = CsrfClient()
    client.force_login(user)
    return client.get(reverse("reports:organisation_data", kwargs={"pk": organisation.pk}))


def test_a_lead_downloads_every_answer_agreed_answer_and_score(body):
    organisation, people = body
    fv = Question.objects.first().dimension.framework_version
    _body("Other Council", "E09000002", rounds=1, fv=fv)
    response = download(people["lead"], organisation)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="organisation-data-E09000001-'
    )
    data = json.loads(response.content)
    assert (data["format"], data["version"]) == ("maturity-organisation-export", 1)
    assert data["organisation"]["code"] == "E09000001"
    assert data["exported_by"]["email"] == "lead@e09000001.example"

    members = {(m["email"], m["role"]) for m in data["people"]["members"]}
    assert ("respondent@e09000001.example", "respondent") in members
    assert len(members) == 4
    assert [i["email"] for i in data["people"]["invitations"]] == ["invited@e09000001.example"]
    assert [c["email"] for c in data["people"]["consultants"]] == [
        "consultant@e09000001-firm.example"
    ]

    assessments = data["assessments"]
    assert [a["round"] for a in assessments] == ["2020/21", "2021/22"]
    assert [a["status"] for a in assessments] == ["submitted", "in_review"]
    exported = {
        (a["id"], x["respondent"]["email"], x["question"], x["level"], x["evidence"])
        for a in assessments
        for x in a["answers"]
    }
    stored = {
        (x.assessment_id, x.respondent.email, x.question.slug, x.level, x.evidence)
        for x in Answer.objects.filter(assessment__organisation=organisation)
    }
    assert exported == stored and len(stored) == 2 * 4 * 2
    assert assessments[0]["answers"][0]["links"] == [
        "https://intranet.example/a",
        "https://intranet.example/b",
    ]
    agreed = {
        (a["id"], x["question"], x["level"], x["target_level"], x["set_by"]["email"])
        for a in assessments
        for x in a["agreed_answers"]
    }
    assert agreed == {
        (x.assessment_id, x.question.slug, x.level, x.target_level, x.set_by.email)
        for x in AgreedAnswer.objects.filter(assessment__organisation=organisation)
    }
    scores = assessments[0]["scores"]
    assert len(scores) == Score.objects.filter(assessment_id=assessments[0]["id"]).count()
    assert scores[0]["scope"] == "overall"
    assert {s["target"] for s in scores if s["scope"] == "dimension"} == {5}
    assert assessments[1]["scores"] == []
    assert assessments[0]["submitted_at"].endswith("Z")

    record = data["record_of_changes"]
    recorded = AuditEvent.objects.filter(organisation_id=organisation.pk).exclude(
        action="data_export.download"
    )
    assert len(record) == recorded.count()
    assert {e["action"] for e in record} >= {"answer.save", "assessment.submit"}
    assert record == sorted(record, key=lambda e: e["at"])

    text = response.content.decode()
    assert "e09000002" not in text and "Other Council" not in text


def test_the_download_is_in_the_record_of_changes(body):
    organisation, people = body
    download(people["lead"], organisation)
    event = AuditEvent.objects.get(action="data_export.download")
    assert (event.organisation_id, event.actor) == (organisation.pk, people["lead"])
    client = CsrfClient()
    client.force_login(people["lead"])
    page = client.get(reverse("organisations:audit_log", kwargs={"pk": organisation.pk}))
    assert f"{people['lead'].full_name} downloaded all the organisation&#x27;s data" in (
        page.content.decode()
    )
    only = client.get(
        reverse("organisations:audit_log", kwargs={"pk": organisation.pk}), {"kind": "downloads"}
    )
    assert "downloaded all the organisation" in only.content.decode()


def test_two_downloads_of_unchanged_data_are_the_same_but_for_their_time(body):
    organisation, people = body
    first = json.loads(download(people["lead"], organisation).content)
    second = json.loads(download(people["lead"], organisation).content)
    # The first download is itself a change recorded before the second.
    assert second["record_of_changes"][-1]["action"] == "data_export.download"
    second["record_of_changes"].pop()
    for data in (first, second):
        data.pop("exported_at")
    assert first == second


@pytest.mark.parametrize("who", ["respondent", "viewer", "consultant"])
def test_only_a_lead_may_download_all_the_data(body, who):
    organisation, people = body
    response = download(people[who], organisation)
    assert response.status_code == 403
    assert "evidence" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="data_export.download").exists()


def test_the_organisation_page_offers_the_download_to_its_lead_only(body):
    organisation, people = body
    url = reverse("reports:organisation_data", kwargs={"pk": organisation.pk})
    for who, offered in (("lead", True), ("respondent", False), ("viewer", False)):
        client = CsrfClient()
        client.force_login(people[who])
        page = client.get(reverse("organisations:organisation", kwargs={"pk": organisation.pk}))
        assert (url in page.content.decode()) is offered, who


def test_the_file_name_is_safe_whatever_the_code(body):
    organisation, people = body
    organisation.code = 'AB"/../1;x'
    organisation.save()
    header = download(people["lead"], organisation)["Content-Disposition"]
    name = header.removeprefix('attachment; filename="').removesuffix('"')
    assert name.startswith("organisation-data-AB") and name.endswith(".json")
    assert not set('"/;\\') & set(name) and ".." not in name


@pytest.mark.parametrize("rounds", [1, 4])
def test_the_download_costs_the_same_queries_however_many_assessments(rounds):
    organisation, people = _body("Query Council", "E09000009", rounds=rounds)
    access = organisation_access(user=people["lead"], pk=organisation.pk)
    with CaptureQueriesContext(connection) as queries:
        content = organisation_data_download(access=access, user=people["lead"])
    assert len(json.loads(content)["assessments"]) == rounds
    # A query a table (7), the improvement plan's actions (1; none here, so no notes or
    # questions to fetch), the record in one batch with what its sentences name (7), and the
    # download's own line in the record (3).
    assert len(queries) == 18, "\n".join(q["sql"][:150] for q in queries)
