"""The record of changes: sentences people can read, filters, and a CSV of what is shown."""

import csv
import html
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assessments.services import (
    AnswerData,
    agreed_answer_save,
    answer_save,
    assessment_reopen,
    assessment_start,
    assessment_submit,
)
from frameworks.builtin import LIBRARY_DIR, library_spec
from frameworks.models import Question
from frameworks.services import framework_version_import
from maturity.audit.models import AuditEvent
from maturity.audit.services import audit_record
from organisations import services
from organisations.models import Invitation, Role
from organisations.orgimport import organisations_import, parse_organisations
from tests.conftest import CsrfClient
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
    submit,
)

pytestmark = pytest.mark.django_db

ACCOUNTABILITY = "'Is there clear accountability for the…'"
FRAMEWORK = "Data, systems and technology layers 1.0.0"


@pytest.fixture
def org():
    return OrganisationFactory(name="Testshire District Council")


@pytest.fixture
def jo(org):
    user = UserFactory(full_name="Jo Pritchard", email="jo@testshire.example")
    return MembershipFactory(organisation=org, role=Role.LEAD, user=user).user


@pytest.fixture
def sam(org):
    user = UserFactory(full_name="Sam Okafor", email="sam@testshire.example")
    return MembershipFactory(organisation=org, role=Role.RESPONDENT, user=user)


@pytest.fixture
def client(jo):
    signed_in = CsrfClient()
    signed_in.force_login(jo)
    return signed_in


class _Cells(HTMLParser):
    """The text of each row of the record's table, one string per cell."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell, self._in_body = [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif self._cell is not None and tag in ("td", "th"):
            self.rows[-1].append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def rows(response) -> list[list[str]]:
    parser = _Cells()
    parser.feed(response.content.decode())
    return parser.rows


def sentences(response) -> list[str]:
    """The "What" column: the last cell of each row that records a change."""
    return [row[-1] for row in rows(response) if len(row) > 1]


def text(response) -> str:
    """The page as a person reads it: tags dropped, entities decoded, spaces squeezed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def record(client, org, **params):
    response = client.get(reverse("organisations:audit_log", kwargs={"pk": org.pk}), params)
    assert response.status_code == 200
    return response


def download(client, org, **params):
    response = client.get(reverse("organisations:audit_csv", kwargs={"pk": org.pk}), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def backdate(event: AuditEvent, days: int) -> None:
    """Move an event into the past. The log is append-only through the ORM, so tests write the
    one column they need with SQL, as if the event had been recorded that long ago."""
    when = connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(days=days))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET created_at = %s WHERE id = %s",
            [when, event.pk],
        )


def date_params(name: str, when) -> dict[str, str]:
    return {f"{name}_0": str(when.day), f"{name}_1": str(when.month), f"{name}_2": str(when.year)}


def invite(org, by, email, role=Role.VIEWER, **kwargs):
    return services.invitation_create(
        organisation=org,
        email=email,
        role=role,
        invited_by=by,
        base_url="http://testserver/",
        **kwargs,
    )


def library_version():
    return framework_version_import(
        spec=library_spec(LIBRARY_DIR / "data-systems-technology" / "1.0.0.yaml"), publish=True
    )


# --- Sentences --------------------------------------------------------------------------------


def test_people_changes_read_as_sentences(org, jo, sam, client):
    ali = MembershipFactory(
        organisation=org,
        role=Role.VIEWER,
        user=UserFactory(full_name="Ali Khan", email="ali@testshire.example"),
    )
    services.membership_change_role(membership=sam, role=Role.VIEWER, by=jo)
    services.membership_remove(membership=ali, by=jo)
    response = record(client, org)
    assert sentences(response) == [
        "Jo Pritchard removed Ali Khan from the organisation (they were a viewer)",
        "Jo Pritchard changed Sam Okafor's role from respondent to viewer",
    ]
    page = text(response)
    assert "membership.change_role" not in page and "['respondent'" not in page
    assert rows(response)[0][1:3] == ["Jo Pritchard", "People"]


def test_invitations_and_consultant_access_read_as_sentences(org, jo, client):
    member = invite(org, jo, "new.person@testshire.example")
    consultant = invite(org, jo, "cat@firm.example", kind=Invitation.Kind.CONSULTANT)
    services.invitation_revoke(invitation=member, by=jo)
    services.account_create_for_invitation(
        invitation=consultant, full_name="Cat Adeyemi", password=PASSWORD
    )
    grant = org.consultant_grants.get()
    services.consultant_grant_revoke(grant=grant, by=jo)
    joiner = invite(org, jo, "dev@testshire.example", role=Role.RESPONDENT)
    services.invitation_accept(
        invitation=joiner, user=UserFactory(full_name="Dev Patel", email="dev@testshire.example")
    )
    assert sentences(record(client, org)) == [
        "Dev Patel joined as a respondent",
        "Dev Patel accepted the invitation to join as a respondent",
        "Jo Pritchard invited Dev Patel to join as a respondent",
        "Jo Pritchard withdrew Cat Adeyemi's consultant access",
        "Cat Adeyemi was given consultant access",
        "Cat Adeyemi accepted the invitation to have consultant access",
        "Cat Adeyemi created an account",
        "Jo Pritchard withdrew the invitation to new.person@testshire.example",
        "Jo Pritchard invited Cat Adeyemi to have consultant access",
        "Jo Pritchard invited new.person@testshire.example to join as a viewer",
    ]


def test_assessment_events_read_as_sentences_naming_people_and_the_assessment(org, sam, client):
    morgan = MembershipFactory(
        organisation=org,
        role=Role.LEAD,
        user=UserFactory(full_name="Morgan Ashby", email="morgan@testshire.example"),
    ).user
    fv = library_version()
    assessment = assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=morgan
    )
    questions = list(
        Question.objects.filter(dimension__framework_version=fv).order_by(
            "dimension__position", "position"
        )
    )
    first = questions[0]
    assert first.text == "Is there clear accountability for the organisation's data?"
    for level, version in ((1, 0), (2, 1)):
        answer_save(
            assessment=assessment,
            question=first,
            respondent=sam.user,
            data=AnswerData(state="level", level=level),
            base_version=version,
        )
    answer_save(
        assessment=assessment,
        question=first,
        respondent=sam.user,
        data=AnswerData(state="level", level=2, evidence="Minutes of the data board"),
        base_version=2,
    )
    agreed_answer_save(
        assessment=assessment,
        question=first,
        lead=morgan,
        data=AnswerData(state="level", level=3, target_level=4),
        base_version=0,
    )
    for question in questions[1:]:
        agreed_answer_save(
            assessment=assessment,
            question=question,
            lead=morgan,
            data=AnswerData(state="na"),
            base_version=0,
        )
    assessment_submit(assessment=assessment, user=morgan)
    assessment_reopen(assessment=assessment, user=morgan, reason="Finance asked us to look again")

    said = sentences(record(client, org))
    overall = AuditEvent.objects.get(action="assessment.submit").changes["overall"]
    assert said[:2] == [
        f"Morgan Ashby reopened the 2026/27 assessment ({FRAMEWORK}) because: "
        "Finance asked us to look again",
        f"Morgan Ashby submitted the 2026/27 assessment ({FRAMEWORK}), scoring {overall} overall",
    ]
    assert said[2].startswith(f"Morgan Ashby agreed '{questions[-1].text[:20]}")
    assert said[2].endswith("' as Not applicable (was not set) in the 2026/27 assessment")
    assert said[-5:] == [
        f"Morgan Ashby agreed {ACCOUNTABILITY} at 3. Defined (was not set), and changed the "
        "target level to 4. Embedded (was not set) in the 2026/27 assessment",
        f"Sam Okafor changed the evidence for their answer to {ACCOUNTABILITY} in the 2026/27 "
        "assessment",
        f"Sam Okafor answered {ACCOUNTABILITY} with 2. Emerging (was 1. Initial) in the "
        "2026/27 assessment",
        f"Sam Okafor answered {ACCOUNTABILITY} with 1. Initial (was not set) in the 2026/27 "
        "assessment",
        f"Morgan Ashby started the 2026/27 assessment ({FRAMEWORK})",
    ]
    page = text(record(client, org))
    for raw in ("None", "['", "{'", first.slug, "answer.save", f"question {first.pk}"):
        assert raw not in page


def test_a_round_carried_over_says_from_which_assessment(org, jo, client):
    fv = make_version(publish=True, dimensions=1, questions=2)
    last, _ = submit(org, fv, [2, 3], round_label="2025/26", lead=jo)
    assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=jo, carry_from=last
    )
    assert sentences(record(client, org, kind="assessments"))[0] == (
        "Jo Pritchard started the 2026/27 assessment (Framework test-framework 1.0.0), carrying "
        "over 2 agreed answers from the 2025/26 assessment"
    )


def test_organisation_details_read_as_sentences(org, client):
    admin = UserFactory(full_name="Ada Admin", email="ada@platform.example")
    parent = OrganisationFactory(name="Greater Testshire County Council")
    rows_in = parse_organisations(
        (
            "name,kind,region,code,size_band,parent_code\n"
            f"Testshire Borough Council,district,london,{org.code},medium,\n"
        ).encode()
    )
    organisations_import(rows=rows_in, user=admin)
    # What the admin site records when a platform admin sets a parent: the parent's id.
    audit_record(
        actor=admin,
        action="organisation.update",
        obj=org,
        changes={"parent": [None, parent.pk]},
        organisation_id=org.pk,
    )
    audit_record(
        actor=admin,
        action="organisation.create",
        obj=org,
        changes={"name": [None, org.name]},
        organisation_id=org.pk,
    )
    said = sentences(record(client, org))
    assert said == [
        "Ada Admin added Testshire District Council to the service",
        "Ada Admin changed the organisation's details: parent organisation to Greater "
        "Testshire County Council (was not set)",
        "Ada Admin changed the organisation's details: name to Testshire Borough Council (was "
        "Testshire District Council) and region to London (was South West)",
    ]
    assert str(parent.pk) not in " ".join(said)


def test_unknown_actions_fall_back_to_a_plain_sentence(org, jo, client):
    audit_record(
        actor=jo, action="widget.create", obj=org, changes={"x": 1}, organisation_id=org.pk
    )
    audit_record(
        actor=None,
        action="widget.polish_gently",
        obj=org,
        changes={"shine": [1, 2]},
        organisation_id=org.pk,
    )
    response = record(client, org)
    assert sentences(response) == [
        "The service made a change: widget polish gently",
        "Jo Pritchard added a widget",
    ]
    assert [row[1:3] for row in rows(response)] == [
        ["The service", "Other"],
        ["Jo Pritchard", "Other"],
    ]
    assert "shine" not in text(response)
    assert sentences(record(client, org, who="service")) == [
        "The service made a change: widget polish gently"
    ]


def test_people_without_a_name_are_named_by_email(org, jo, client):
    nameless = MembershipFactory(
        organisation=org,
        role=Role.VIEWER,
        user=UserFactory(full_name="", email="x@testshire.example"),
    )
    services.membership_change_role(membership=nameless, role=Role.RESPONDENT, by=jo)
    assert sentences(record(client, org)) == [
        "Jo Pritchard changed x@testshire.example's role from viewer to respondent"
    ]


# --- Filters ----------------------------------------------------------------------------------


@pytest.fixture
def mixed(org, jo, sam):
    """Jo changed a role 10 days ago; Morgan invited someone today."""
    morgan = MembershipFactory(
        organisation=org,
        role=Role.LEAD,
        user=UserFactory(full_name="Morgan Ashby", email="morgan@testshire.example"),
    ).user
    services.membership_change_role(membership=sam, role=Role.VIEWER, by=jo)
    backdate(AuditEvent.objects.get(action="membership.change_role"), days=10)
    invite(org, morgan, "new.person@testshire.example")
    return morgan


ROLE_CHANGE = "Jo Pritchard changed Sam Okafor's role from respondent to viewer"
INVITED = "Morgan Ashby invited new.person@testshire.example to join as a viewer"


def test_filter_by_person(org, jo, mixed, client):
    assert sentences(record(client, org, who=str(jo.pk))) == [ROLE_CHANGE]
    assert sentences(record(client, org, who=str(mixed.pk))) == [INVITED]
    page = record(client, org).content.decode()
    assert f'<option value="{jo.pk}">Jo Pritchard</option>' in page


def test_filter_by_kind(org, mixed, client):
    assert sentences(record(client, org, kind="people")) == [ROLE_CHANGE]
    assert sentences(record(client, org, kind="invitations")) == [INVITED]
    assert sentences(record(client, org, kind="consultants")) == []
    assert "No changes match" in text(record(client, org, kind="consultants"))


def test_filter_by_dates(org, mixed, client):
    today = timezone.localdate()
    assert sentences(record(client, org, **date_params("date_from", today - timedelta(5)))) == [
        INVITED
    ]
    assert sentences(record(client, org, **date_params("date_to", today - timedelta(5)))) == [
        ROLE_CHANGE
    ]
    both = {**date_params("date_from", today - timedelta(10)), **date_params("date_to", today)}
    assert sentences(record(client, org, **both)) == [INVITED, ROLE_CHANGE]
    # The day an event happened counts in both "from" and "to".
    that_day = date_params("date_from", today - timedelta(10)) | date_params(
        "date_to", today - timedelta(10)
    )
    assert sentences(record(client, org, **that_day)) == [ROLE_CHANGE]


def test_kind_filter_tells_answers_from_agreed_answers(org, jo, sam, client):
    fv = make_version(publish=True, dimensions=1, questions=1)
    assessment = assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=jo
    )
    question = Question.objects.get(dimension__framework_version=fv)
    answer_save(
        assessment=assessment,
        question=question,
        respondent=sam.user,
        data=AnswerData(state="dont_know"),
        base_version=0,
    )
    agreed_answer_save(
        assessment=assessment,
        question=question,
        lead=jo,
        data=AnswerData(state="level", level=2),
        base_version=0,
    )
    assessment_submit(assessment=assessment, user=jo)
    q = "'Question 1 of dimension 1?'"
    assert sentences(record(client, org, kind="answers")) == [
        f"Sam Okafor answered {q} with Don't know (was not set) in the 2026/27 assessment"
    ]
    assert sentences(record(client, org, kind="agreed-answers")) == [
        f"Jo Pritchard agreed {q} at 2. Emerging (was not set) in the 2026/27 assessment"
    ]
    assert sentences(record(client, org, kind="assessments")) == [
        "Jo Pritchard submitted the 2026/27 assessment (Framework test-framework 1.0.0), "
        "scoring 2.0 overall",
        "Jo Pritchard started the 2026/27 assessment (Framework test-framework 1.0.0)",
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"},
            "From date must be a real date",
        ),
        (
            {"date_from_0": "x", "date_from_1": "2", "date_from_2": "2026"},
            "From date must be a real date",
        ),
        ({"date_to_0": "99", "date_to_1": "2", "date_to_2": "2026"}, "To date must be a real date"),
        ({"date_to_0": "3", "date_to_1": "2", "date_to_2": ""}, "To date must include a year"),
        (
            {"date_from_0": "", "date_from_1": "2", "date_from_2": ""},
            "From date must include a day and year",
        ),
        (
            {"date_from_0": "1", "date_from_1": "2", "date_from_2": "26"},
            "From date must include a year with 4 numbers",
        ),
        (
            {"date_from_0": "2", "date_from_1": "3", "date_from_2": "2026"}
            | {"date_to_0": "1", "date_to_1": "3", "date_to_2": "2026"},
            "To date must be the same as or after the from date",
        ),
        ({"who": "999999"}, "Select a person from the list"),
        ({"kind": "gossip"}, "Select a kind of change from the list"),
    ],
)
def test_bad_filters_show_a_govuk_error_and_no_results(org, mixed, client, params, message):
    response = record(client, org, **params)
    page = text(response)
    assert "There is a problem" in page and message in page
    assert page.count(message) == 2  # in the summary and by the field
    assert "<title>Error: " in response.content.decode()
    assert sentences(response) == []
    assert ROLE_CHANGE not in page and INVITED not in page


def test_pagination_keeps_the_filters(org, jo, sam, client):
    services.membership_change_role(membership=sam, role=Role.VIEWER, by=jo)
    for n in range(55):
        invite(org, jo, f"person{n}@testshire.example")
    first = record(client, org, kind="invitations")
    assert len(sentences(first)) == 50
    older = re.search(r'href="([^"]*)"[^>]*rel="next"', first.content.decode())
    assert older, "no link to the next page"
    link = html.unescape(older.group(1))
    assert "kind=invitations" in link and "page=2" in link
    second = client.get(reverse("organisations:audit_log", kwargs={"pk": org.pk}) + link)
    said = sentences(second)
    assert len(said) == 5 and all(" invited " in s for s in said)
    assert "Page 2 of 2" in text(second)


# --- Download ---------------------------------------------------------------------------------


def test_csv_holds_the_filtered_record_of_this_organisation_only(org, jo, mixed, client):
    other = OrganisationFactory(name="Elsewhere Council")
    other_lead = MembershipFactory(organisation=other, role=Role.LEAD).user
    invite(other, other_lead, "elsewhere@other.example")
    table = download(client, org)
    assert table[0] == ["When", "Who", "Kind", "What"]
    assert [row[1:] for row in table[1:]] == [
        ["Morgan Ashby", "Invitations", INVITED],
        ["Jo Pritchard", "People", ROLE_CHANGE],
    ]
    when = timezone.localtime(
        AuditEvent.objects.get(action="invitation.create", organisation_id=org.pk).created_at
    )
    assert table[1][0] == when.strftime("%Y-%m-%d %H:%M:%S")
    assert "elsewhere" not in str(table)
    assert download(client, org, kind="people")[1:] == [table[2]]
    assert download(client, org, who=str(mixed.pk))[1:] == [table[1]]


def test_csv_cells_cannot_run_as_formulas(org, sam, client):
    sly = MembershipFactory(
        organisation=org,
        role=Role.LEAD,
        user=UserFactory(
            full_name='=HYPERLINK("http://evil.example")', email="sly@testshire.example"
        ),
    ).user
    services.membership_change_role(membership=sam, role=Role.VIEWER, by=sly)
    (row,) = download(client, org)[1:]
    assert row[1] == '\'=HYPERLINK("http://evil.example")'
    assert row[3] == (
        "'=HYPERLINK(\"http://evil.example\") changed Sam Okafor's role from respondent to viewer"
    )


def test_page_offers_the_csv_of_what_it_shows(org, mixed, client):
    page = record(client, org, kind="people").content.decode()
    link = re.search(r'href="([^"]*audit\.csv[^"]*)"', page)
    assert link and "kind=people" in html.unescape(link.group(1))


def test_csv_with_bad_filters_sends_you_back_to_the_page_to_fix_them(org, mixed, client):
    url = reverse("organisations:audit_csv", kwargs={"pk": org.pk})
    response = client.get(url, {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "From date must be a real date" in text(page)


# --- Query counts -----------------------------------------------------------------------------


def test_record_query_count_is_the_same_for_one_and_many_answers(
    org, jo, client, django_assert_num_queries
):
    fv = make_version(publish=True, dimensions=2, questions=10)
    assessment = assessment_start(
        organisation=org, framework_version=fv, round_label="2026/27", user=jo
    )
    questions = list(Question.objects.filter(dimension__framework_version=fv))

    def answer(question):
        answer_save(
            assessment=assessment,
            question=question,
            respondent=MembershipFactory(organisation=org, role=Role.RESPONDENT).user,
            data=AnswerData(state="level", level=2),
            base_version=0,
        )

    kind = {"kind": "answers"}
    answer(questions[0])
    client.get("/")
    # session, user, access, people, count, events; answers, assessments, levels
    expected = 9
    with django_assert_num_queries(expected):
        assert len(sentences(record(client, org, **kind))) == 1
    for question in questions[1:]:
        answer(question)
    with django_assert_num_queries(expected):
        assert len(sentences(record(client, org, **kind))) == 20


def _one_of_everything(org, lead, n):
    """n events of every kind the record knows, each by a different person."""
    fv = make_version(publish=True, slug=f"every-{org.pk}-{n}", dimensions=1, questions=n)
    questions = list(Question.objects.filter(dimension__framework_version=fv))
    for i in range(n):
        person = MembershipFactory(organisation=org, role=Role.RESPONDENT)
        services.membership_change_role(membership=person, role=Role.VIEWER, by=lead)
        invitation = invite(org, lead, f"new{org.pk}-{n}-{i}@testshire.example")
        services.invitation_revoke(invitation=invitation, by=lead)
        consultant = invite(
            org, lead, f"c{org.pk}-{n}-{i}@firm.example", kind=Invitation.Kind.CONSULTANT
        )
        services.account_create_for_invitation(
            invitation=consultant, full_name=f"Consultant {i}", password=PASSWORD
        )
        services.consultant_grant_revoke(grant=org.consultant_grants.get(revoked_at=None), by=lead)
        assessment = assessment_start(
            organisation=org, framework_version=fv, round_label=f"r{n}-{i}", user=lead
        )
        answer_save(
            assessment=assessment,
            question=questions[i],
            respondent=person.user,
            data=AnswerData(state="level", level=2),
            base_version=0,
        )
        for question in questions:
            agreed_answer_save(
                assessment=assessment,
                question=question,
                lead=lead,
                data=AnswerData(state="level", level=3),
                base_version=0,
            )
        assessment_submit(assessment=assessment, user=lead)
        assessment_reopen(assessment=assessment, user=lead, reason="Check again")
        audit_record(
            actor=lead,
            action="organisation.update",
            obj=org,
            changes={"region": ["south_west", "london"], "parent": [None, org.code]},
            organisation_id=org.pk,
        )


def test_record_query_count_is_the_same_for_one_and_many_of_every_kind(
    org, jo, client, django_assert_num_queries
):
    _one_of_everything(org, jo, 1)
    client.get("/")
    # session, user, access, the people to filter by, count, events; parents, answers, agreed
    # answers, assessments, levels, names, invitations
    expected = 13
    with django_assert_num_queries(expected):
        first = sentences(record(client, org))
    _one_of_everything(OrganisationFactory(), jo, 1)  # another organisation's, not counted
    _one_of_everything(org, jo, 3)
    with django_assert_num_queries(expected):
        assert len(sentences(record(client, org))) == 50
    assert len(first) < 50


def test_csv_query_count_is_the_same_for_one_and_many(org, jo, client, django_assert_num_queries):
    _one_of_everything(org, jo, 1)
    client.get("/")
    url = reverse("organisations:audit_csv", kwargs={"pk": org.pk})
    expected = 13  # as the page: the record fits in one batch of CSV_BATCH
    with django_assert_num_queries(expected):
        client.get(url)
    _one_of_everything(org, jo, 3)
    with django_assert_num_queries(expected):
        assert len(list(csv.reader(io.StringIO(client.get(url).content.decode())))) > 50
