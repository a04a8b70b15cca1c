"""Tenant isolation: every URL pattern is either public or proven not to leak.

The guard walks every URL pattern of the project. Each must be on an explicit list below; the
tenant and editor patterns are then exercised as an outsider (404) and as a too-weak role (403),
with another organisation's data present that could leak, for GET and for POST.
"""

import io
from dataclasses import dataclass

import pytest
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.models import AgreedAnswer, Answer, Assessment, EvidenceFile, EvidenceLink
from assessments.services import (
    AnswerData,
    agreed_answer_save,
    answer_save,
    assessment_start,
    assessment_submit,
    evidence_attach,
)
from frameworks.models import FrameworkVersion, Question
from frameworks.services import framework_version_create_draft
from improvement.models import Action, ActionNote
from improvement.services import action_create
from maturity.audit.models import AuditEvent
from organisations.models import ConsultantGrant, Invitation, Membership, Role
from organisations.services import invitation_create
from reports.models import BulkExport
from tests import evidence_files
from tests.conftest import CsrfClient
from tests.factories import (
    ConsultantGrantFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
)

# The board report is drawn as it is asked for, so its URL answers with the PDF itself (the
# queue and its waiting page: tests/reports/test_report_render.py).
pytestmark = pytest.mark.usefixtures("immediate_tasks")

# Anyone may open these: they show no tenant data.
PUBLIC = {
    "home",
    "accessibility",
    "healthz",
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    # Published framework content is public; drafts are 404 to non-editors (test_views).
    "frameworks:catalogue",
    "frameworks:framework",
    "frameworks:version",
    "frameworks:download_yaml",
    "frameworks:download_json",
    "frameworks:download_xlsx",
    "frameworks:questionnaire_pdf",
    # What changed between two versions: drafts are 404 to non-editors (test_diff.py).
    "frameworks:diff",
    "frameworks:diff_csv",
    # The file format's JSON Schema: no data at all (tests/frameworks/test_schema.py).
    "frameworks:schema",
    # Reached only with a signed, single-use token (tests/assessments/test_invitations.py).
    "organisations:invitation",
    # Open data: only disclosure-controlled aggregates (tests/assessments/test_national.py).
    "benchmarks:national_index",
    "benchmarks:national",
    "benchmarks:national_csv",
    "benchmarks:national_json",
    "benchmarks:national_version",
    "benchmarks:national_version_csv",
    "benchmarks:national_version_json",
}
# Signed in, and only ever about the person asking (no id in the URL).
OWN_DATA = {
    "accounts:account": lambda w: {},
    "accounts:password_change": lambda w: {},
    "organisations:your_organisations": lambda w: {},
    # Only the consultant's own active clients (tests/assessments/test_national.py).
    "benchmarks:compare": lambda w: {"framework": w.framework_version.framework.slug},
    # The person's own branding, and their own exports. The export re-checks grants when it
    # runs (tests/assessments/test_bulk_export.py); another person's export is a 404 (below).
    "reports:branding": lambda w: {},
    "reports:branding_logo": lambda w: {},
    "reports:bulk_exports": lambda w: {},
    "reports:bulk_export": lambda w: _export(w),
    "reports:bulk_export_status": lambda w: _export(w),
    "reports:bulk_export_download": lambda w: _export(w),
    # The actions the person owns, in organisations they belong to (tests/improvement).
    "improvement:your_actions": lambda w: {},
}
# Objects that belong to one person: anyone else, even the client's own lead, gets 404.
OWNED_OBJECTS = {"reports:bulk_export", "reports:bulk_export_status"}
OWNED_OBJECTS |= {"reports:bulk_export_download"}
# Django's admin: staff only (test_admin_needs_staff below), and platform-admin territory.
ADMIN_NAMESPACE = "admin"


@dataclass
class World:
    """Two organisations, each fully populated, so a leak would have something to show."""

    a: object
    b: object
    people: dict
    a_member: Membership
    a_invitation: Invitation
    a_grant: ConsultantGrant
    b_member: Membership
    b_invitation: Invitation
    b_grant: ConsultantGrant
    framework_version: FrameworkVersion
    a_assessment: Assessment
    b_assessment: Assessment
    a_submitted: Assessment


@pytest.fixture
def world(db):
    a = OrganisationFactory(name="Alpha District Council")
    b = OrganisationFactory(name="Beta Unitary Council")
    people = {}
    for org, tag in ((a, "a"), (b, "b")):
        for role in Role:
            people[f"{tag}_{role}"] = MembershipFactory(
                organisation=org,
                role=role,
                user=UserFactory(email=f"{role}.{tag}@{tag}.example", full_name=f"{role} {tag}"),
            ).user
        people[f"{tag}_consultant"] = ConsultantGrantFactory(
            organisation=org, consultant=UserFactory(email=f"consultant.{tag}@firm.example")
        ).consultant
    lead_a, lead_b = people["a_lead"], people["b_lead"]
    fv = make_version(publish=True)
    assessments = {}
    for org, lead, tag in ((a, lead_a, "a"), (b, lead_b, "b")):
        assessment = assessment_start(
            organisation=org, framework_version=fv, round_label="2026/27", user=lead
        )
        for question in Question.objects.filter(dimension__framework_version=fv):
            answer_save(
                assessment=assessment,
                question=question,
                respondent=people[f"{tag}_respondent"],
                data=AnswerData(state="level", level=2, evidence=f"secret evidence {tag}"),
                base_version=0,
            )
        assessments[tag] = assessment
    submitted = assessment_start(
        organisation=a, framework_version=fv, round_label="2025/26", user=lead_a
    )
    for question in Question.objects.filter(dimension__framework_version=fv):
        agreed_answer_save(
            assessment=submitted,
            question=question,
            lead=lead_a,
            data=AnswerData(state="level", level=3),
            base_version=0,
        )
    assessment_submit(assessment=submitted, user=lead_a)
    return World(
        a=a,
        b=b,
        people=people,
        a_member=Membership.objects.get(organisation=a, role=Role.RESPONDENT),
        a_invitation=invitation_create(
            organisation=a,
            email="new.a@a.example",
            role=Role.VIEWER,
            invited_by=lead_a,
            base_url="http://testserver/",
        ),
        a_grant=ConsultantGrant.objects.get(organisation=a),
        b_member=Membership.objects.get(organisation=b, role=Role.RESPONDENT),
        b_invitation=invitation_create(
            organisation=b,
            email="new.b@b.example",
            role=Role.VIEWER,
            invited_by=lead_b,
            base_url="http://testserver/",
        ),
        b_grant=ConsultantGrant.objects.get(organisation=b),
        framework_version=fv,
        a_assessment=assessments["a"],
        b_assessment=assessments["b"],
        a_submitted=submitted,
    )


# name -> (least role that may use it, kwargs for organisation A)
TENANT = {
    "organisations:organisation": (Role.VIEWER, lambda w: {"pk": w.a.pk}),
    "organisations:invite": (Role.LEAD, lambda w: {"pk": w.a.pk}),
    "organisations:grant": (Role.LEAD, lambda w: {"pk": w.a.pk}),
    "organisations:change_role": (
        Role.LEAD,
        lambda w: {"pk": w.a.pk, "membership_pk": w.a_member.pk},
    ),
    "organisations:remove_member": (
        Role.LEAD,
        lambda w: {"pk": w.a.pk, "membership_pk": w.a_member.pk},
    ),
    "organisations:revoke_invitation": (
        Role.LEAD,
        lambda w: {"pk": w.a.pk, "invitation_pk": w.a_invitation.pk},
    ),
    "organisations:revoke_grant": (Role.LEAD, lambda w: {"pk": w.a.pk, "grant_pk": w.a_grant.pk}),
    "organisations:audit_log": (Role.LEAD, lambda w: {"pk": w.a.pk}),
    "organisations:audit_csv": (Role.LEAD, lambda w: {"pk": w.a.pk}),
    "assessments:start": (Role.LEAD, lambda w: {"pk": w.a.pk}),
    "assessments:assessment": (Role.VIEWER, lambda w: _a(w)),
    "assessments:question": (Role.RESPONDENT, lambda w: {**_a(w), "qpk": _q(w)}),
    "assessments:autosave": (Role.RESPONDENT, lambda w: {**_a(w), "qpk": _q(w)}),
    "assessments:agree_dimension": (Role.LEAD, lambda w: {**_a(w), "dpk": _d(w)}),
    "assessments:agree_question": (Role.LEAD, lambda w: {**_a(w), "qpk": _q(w)}),
    "assessments:agree_autosave": (Role.LEAD, lambda w: {**_a(w), "qpk": _q(w)}),
    "assessments:agree_accept": (Role.LEAD, lambda w: {**_a(w), "dpk": _d(w)}),
    "assessments:your_answers": (Role.RESPONDENT, lambda w: _a(w)),
    "assessments:check": (Role.LEAD, lambda w: _a(w)),
    "assessments:results": (Role.VIEWER, lambda w: _a(w, submitted=True)),
    "assessments:explain_overall": (Role.VIEWER, lambda w: _a(w, submitted=True)),
    "assessments:explain_dimension": (
        Role.VIEWER,
        lambda w: {**_a(w, submitted=True), "dpk": _d(w)},
    ),
    "assessments:reopen": (Role.LEAD, lambda w: _a(w, submitted=True)),
    # Evidence files (tests/assessments/test_evidence.py: who may download which file).
    "assessments:evidence_attach": (Role.RESPONDENT, lambda w: {**_a(w), "qpk": _q(w)}),
    "assessments:evidence_remove": (
        Role.RESPONDENT,
        lambda w: {**_a(w), "qpk": _q(w), "fpk": _file(w, "own")},
    ),
    "assessments:agree_evidence_attach": (Role.LEAD, lambda w: {**_a(w), "qpk": _q(w)}),
    "assessments:agree_evidence_remove": (
        Role.LEAD,
        lambda w: {**_a(w), "qpk": _q(w), "fpk": _file(w, "agreed")},
    ),
    "assessments:agree_evidence_use": (
        Role.LEAD,
        lambda w: {**_a(w), "qpk": _q(w), "fpk": _file(w, "own")},
    ),
    "assessments:evidence_file": (
        Role.VIEWER,
        lambda w: {**_a(w, submitted=True), "fpk": _file(w, "submitted")},
    ),
    "assessments:evidence_erase": (
        Role.LEAD,
        lambda w: {**_a(w, submitted=True), "fpk": _file(w, "submitted")},
    ),
    "reports:report_pdf": (Role.VIEWER, lambda w: _a(w, submitted=True)),
    "reports:report_docx": (Role.VIEWER, lambda w: _a(w, submitted=True)),
    "reports:export_xlsx": (Role.VIEWER, lambda w: _a(w)),
    "reports:export_csv": (Role.VIEWER, lambda w: _a(w)),
    # Everything the organisation holds, everyone's answers included (test_organisation_data).
    "reports:organisation_data": (Role.LEAD, lambda w: {"pk": w.a.pk}),
    "benchmarks:dashboard": (
        Role.VIEWER,
        lambda w: {"pk": w.a.pk, "framework": w.framework_version.framework.slug},
    ),
    # The improvement plan: read by all who see results; respondents may change it only when a
    # lead allows (off here), an action's owner updates it (nobody owns this one).
    "improvement:plan": (Role.VIEWER, lambda w: {"pk": w.a.pk}),
    "improvement:plan_settings": (Role.LEAD, lambda w: {"pk": w.a.pk}),
    "improvement:action_add": (Role.LEAD, lambda w: _a(w, submitted=True)),
    "improvement:action": (Role.VIEWER, lambda w: _action(w)),
    "improvement:action_edit": (Role.LEAD, lambda w: _action(w)),
    "improvement:action_status": (Role.LEAD, lambda w: _action(w)),
    "improvement:action_note": (Role.LEAD, lambda w: _action(w)),
}
# Pages that only accept POST (autosave): their GET is 405 for everyone allowed in.
POST_ONLY = {"assessments:autosave", "assessments:agree_autosave"}


def _export(w):
    """A finished export of organisation A's report, made by A's consultant."""
    export = BulkExport.objects.create(
        consultant=w.people["a_consultant"],
        framework=w.framework_version.framework,
        total=1,
        done=1,
        status=BulkExport.Status.DONE,
        file=default_storage.save("exports/a.zip", io.BytesIO(b"secret evidence a")),
    )
    export.organisations.set([w.a])
    return {"export_pk": export.pk}


def _action(w, through="a", of="a"):
    """Kwargs for an action of organisation `of` (made once) through `through`'s URL."""
    assessment = w.a_submitted if of == "a" else w.b_assessment
    action = Action.objects.filter(assessment=assessment).first() or action_create(
        assessment=assessment, by=w.people[f"{of}_lead"], title=f"secret evidence {of} action"
    )
    return {"pk": getattr(w, through).pk, "action_pk": action.pk}


def _file(w, where: str, of: str = "a") -> int:
    """The id of a file of organisation `of` (made once, before any snapshot): on its lead's
    own answer in the open round ("own"), on that round's agreed answer ("agreed", and any
    other name for B), or on the agreed answer of A's submitted round ("submitted")."""
    found = EvidenceFile.objects.filter(organisation=getattr(w, of), name=f"{where}.pdf").first()
    if found:
        return found.pk
    assessment = getattr(w, f"{of}_assessment")
    submitted = where == "submitted" and of == "a"
    if submitted:  # attached before the round was submitted, as a lead would have
        assessment = w.a_submitted
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.IN_REVIEW)
    try:
        return evidence_attach(
            assessment=assessment,
            question=Question.objects.get(pk=_q(w)),
            user=w.people[f"{of}_lead"],
            upload=evidence_files.upload(f"{where}.pdf", evidence_files.pdf()),
            agreed=where != "own",
        ).pk
    finally:
        if submitted:
            Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)


def _a(w, submitted=False):
    return {"pk": w.a.pk, "apk": (w.a_submitted if submitted else w.a_assessment).pk}


def _q(w):
    return Question.objects.filter(dimension__framework_version=w.framework_version).first().pk


def _d(w):
    return (
        Question.objects.filter(dimension__framework_version=w.framework_version)
        .first()
        .dimension_id
    )


# Object ids of organisation B reached through organisation A's URL: must be 404 for A's lead.
CROSS_OBJECT = {
    "organisations:change_role": lambda w: {"pk": w.a.pk, "membership_pk": w.b_member.pk},
    "organisations:remove_member": lambda w: {"pk": w.a.pk, "membership_pk": w.b_member.pk},
    "organisations:revoke_invitation": lambda w: {"pk": w.a.pk, "invitation_pk": w.b_invitation.pk},
    "organisations:revoke_grant": lambda w: {"pk": w.a.pk, "grant_pk": w.b_grant.pk},
    "assessments:assessment": lambda w: {"pk": w.a.pk, "apk": w.b_assessment.pk},
    "assessments:question": lambda w: {"pk": w.a.pk, "apk": w.b_assessment.pk, "qpk": _q(w)},
    "assessments:agree_question": lambda w: {
        "pk": w.a.pk,
        "apk": w.b_assessment.pk,
        "qpk": _q(w),
    },
    "assessments:your_answers": lambda w: {"pk": w.a.pk, "apk": w.b_assessment.pk},
    "assessments:agree_accept": lambda w: {"pk": w.a.pk, "apk": w.b_assessment.pk, "dpk": _d(w)},
    "assessments:check": lambda w: {"pk": w.a.pk, "apk": w.b_assessment.pk},
    "assessments:results": lambda w: {"pk": w.a.pk, "apk": w.b_assessment.pk},
    # Organisation B's file, through A's own assessment and answers.
    "assessments:evidence_file": lambda w: {**_a(w, submitted=True), "fpk": _file(w, "x", "b")},
    "assessments:evidence_erase": lambda w: {**_a(w, submitted=True), "fpk": _file(w, "x", "b")},
    "assessments:evidence_remove": lambda w: {**_a(w), "qpk": _q(w), "fpk": _file(w, "x", "b")},
    "assessments:agree_evidence_remove": lambda w: {
        **_a(w),
        "qpk": _q(w),
        "fpk": _file(w, "x", "b"),
    },
    "assessments:agree_evidence_use": lambda w: {
        **_a(w),
        "qpk": _q(w),
        "fpk": _file(w, "x", "b"),
    },
    "improvement:action_add": lambda w: {"pk": w.a.pk, "apk": w.b_assessment.pk},
    "improvement:action": lambda w: _action(w, of="b"),
    "improvement:action_edit": lambda w: _action(w, of="b"),
    "improvement:action_status": lambda w: _action(w, of="b"),
    "improvement:action_note": lambda w: _action(w, of="b"),
}


def _fv_kwargs(w):
    return {"slug": w.framework_version.framework.slug, "version": w.framework_version.version}


def _draft(w):
    """A draft made from the world's published version (once), for the editor's pages."""
    fv = w.framework_version
    draft = FrameworkVersion.objects.filter(framework=fv.framework, version="9.0.0").first()
    return draft or framework_version_create_draft(
        framework=fv.framework, version="9.0.0", clone_from=fv
    )


def _editor(*parts):
    """The arguments of an editor page of the draft: its version, and the parts named."""

    def kwargs(w):
        draft = _draft(w)
        question = Question.objects.filter(dimension__framework_version=draft).first()
        facet = draft.facets.first()
        found = {
            "dpk": question.dimension_id,
            "qpk": question.pk,
            "fpk": facet.pk,
            "vpk": facet.values.first().pk,
            "lpk": draft.levels.last().pk,
        }
        return {"slug": draft.framework.slug, "version": draft.version} | {
            p: found[p] for p in parts
        }

    return kwargs


def _crosswalk_question(w):
    kwargs = _editor("qpk")(w)
    return {"slug": kwargs["slug"], "version": kwargs["version"], "pk": kwargs["qpk"]}


def _crosswalk_dropped(w):
    """A question of the version the draft was made from that the draft no longer asks."""
    draft = _draft(w)
    earlier = (
        Question.objects.filter(dimension__framework_version=draft.cloned_from)
        .order_by("-pk")
        .first()
    )
    Question.objects.filter(dimension__framework_version=draft, links__ancestor=earlier).delete()
    return {"slug": draft.framework.slug, "version": draft.version, "pk": earlier.pk}


# Framework editors only: everyone else signed in gets 403 (tests/frameworks/test_views.py too).
EDITOR_ONLY = {
    "frameworks:import": lambda w: {},
    "frameworks:create": lambda w: {},
    "frameworks:new_draft": _fv_kwargs,
    "frameworks:publish": _fv_kwargs,
    "frameworks:retire": _fv_kwargs,
    # The framework editor (tests/frameworks/test_editor.py: published versions refused).
    "frameworks:editor": _editor(),
    "frameworks:editor_details": _editor(),
    "frameworks:editor_warnings": _editor(),
    "frameworks:editor_scale": _editor(),
    "frameworks:editor_level_add": _editor(),
    "frameworks:editor_level_remove": _editor("lpk"),
    "frameworks:editor_facets": _editor(),
    "frameworks:editor_facet_add": _editor(),
    "frameworks:editor_facet": _editor("fpk"),
    "frameworks:editor_facet_remove": _editor("fpk"),
    "frameworks:editor_value_add": _editor("fpk"),
    "frameworks:editor_value": _editor("fpk", "vpk"),
    "frameworks:editor_value_remove": _editor("fpk", "vpk"),
    "frameworks:editor_dimension_add": _editor(),
    "frameworks:editor_dimension": _editor("dpk"),
    "frameworks:editor_dimension_move": _editor("dpk"),
    "frameworks:editor_dimension_remove": _editor("dpk"),
    "frameworks:editor_question_add": _editor("dpk"),
    "frameworks:editor_question": _editor("qpk"),
    "frameworks:editor_question_move": _editor("qpk"),
    "frameworks:editor_question_remove": _editor("qpk"),
    "assessments:question_preview": _editor("qpk"),
    # The crosswalk of a draft made from another version (tests/frameworks/test_crosswalk.py).
    "frameworks:crosswalk": _editor(),
    "frameworks:crosswalk_confirm": _editor(),
    "frameworks:crosswalk_question": _crosswalk_question,
    "frameworks:crosswalk_dropped": _crosswalk_dropped,
}
POST_ONLY |= {"frameworks:editor_dimension_move", "frameworks:editor_question_move"}


def all_url_names() -> set[str]:
    names = set()

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                if ns == ADMIN_NAMESPACE:
                    continue
                walk(p.url_patterns, ":".join(filter(None, [namespace, p.namespace])) or None)
            elif isinstance(p, URLPattern):
                assert p.name, f"URL pattern {p.pattern} has no name, so no rule covers it"
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_pattern_is_public_or_covered_by_the_isolation_tests():
    covered = PUBLIC | set(OWN_DATA) | set(TENANT) | set(EDITOR_ONLY)
    uncovered = sorted(all_url_names() - covered)
    assert uncovered == [], (
        "These URL patterns are neither public nor exercised by the isolation tests: "
        f"{uncovered}. Add them to PUBLIC (if they show no tenant data) or to TENANT/EDITOR_ONLY."
    )
    stale = sorted(covered - all_url_names())
    assert stale == [], f"Listed but no longer routed: {stale}"


def snapshot():
    return (
        list(Answer.objects.order_by("pk").values_list("pk", "version", "level")),
        list(AgreedAnswer.objects.order_by("pk").values_list("pk", "version", "level")),
        list(Assessment.objects.order_by("pk").values_list("pk", "status")),
        list(Membership.objects.order_by("pk").values_list("pk", "role")),
        list(Invitation.objects.order_by("pk").values_list("pk", "revoked_at", "accepted_at")),
        list(EvidenceLink.objects.order_by("pk").values_list("pk", "file_id")),
        list(ConsultantGrant.objects.order_by("pk").values_list("pk", "revoked_at")),
        list(Action.objects.order_by("pk").values_list("pk", "version", "status", "title")),
        ActionNote.objects.count(),
        AuditEvent.objects.count(),
    )


def signed_in(user) -> CsrfClient:
    client = CsrfClient()
    client.force_login(user)
    return client


def post(client, url):
    client.get("/")  # sets the CSRF cookie, as a browser would have
    token = client.cookies["csrftoken"].value
    return client.post(url, {"csrfmiddlewaretoken": token, "role": "lead", "email": "x@y.example"})


def leaked(response, world) -> list[str]:
    text = response.content.decode()
    secrets = [
        world.a.name,
        "respondent.a@a.example",
        "new.a@a.example",
        "consultant.a@firm",
        "secret evidence a",
    ]
    return [s for s in secrets if s in text]


@pytest.mark.parametrize("name", sorted(TENANT))
@pytest.mark.parametrize("outsider", ["b_lead", "b_consultant", "stranger"])
def test_outsiders_get_404_and_see_nothing(world, name, outsider):
    user = world.people.get(outsider) or UserFactory(email="stranger@nowhere.example")
    client = signed_in(user)
    url = reverse(name, kwargs=TENANT[name][1](world))
    before = snapshot()
    response = client.get(url)
    assert response.status_code == 404
    assert leaked(response, world) == []
    assert b"secret evidence b" not in response.content
    assert post(client, url).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(TENANT))
def test_anonymous_visitors_are_sent_to_sign_in(world, name):
    url = reverse(name, kwargs=TENANT[name][1](world))
    response = CsrfClient().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", sorted(OWN_DATA))
def test_anonymous_visitors_are_sent_to_sign_in_for_personal_pages(world, name):
    response = CsrfClient().get(reverse(name, kwargs=OWN_DATA[name](world)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", sorted(OWNED_OBJECTS))
@pytest.mark.parametrize("other", ["a_lead", "b_consultant", "b_lead", "stranger"])
def test_someone_elses_export_is_404(world, name, other):
    url = reverse(name, kwargs=OWN_DATA[name](world))
    own = signed_in(world.people["a_consultant"]).get(url)
    if own.streaming:  # read the download through, so the test client closes the file
        b"".join(own.streaming_content)
    assert own.status_code == 200
    user = world.people.get(other) or UserFactory(email="stranger@nowhere.example")
    response = signed_in(user).get(url)
    assert response.status_code == 404
    assert leaked(response, world) == []


WEAK_ROLES = {
    Role.LEAD: ["a_viewer", "a_respondent", "a_consultant"],
    Role.RESPONDENT: ["a_viewer", "a_consultant"],
}
WEAK_CASES = [
    (name, weak) for name, (role, _) in sorted(TENANT.items()) for weak in WEAK_ROLES.get(role, [])
]


@pytest.mark.parametrize(("name", "weak"), WEAK_CASES)
def test_members_without_the_role_get_403_and_change_nothing(world, name, weak):
    client = signed_in(world.people[weak])
    url = reverse(name, kwargs=TENANT[name][1](world))
    before = snapshot()
    assert client.get(url).status_code == 403
    assert post(client, url).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(CROSS_OBJECT))
def test_another_organisations_objects_are_404_through_your_own_url(world, name):
    client = signed_in(world.people["a_lead"])
    url = reverse(name, kwargs=CROSS_OBJECT[name](world))
    before = snapshot()
    assert client.get(url).status_code == 404
    assert post(client, url).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(TENANT))
def test_the_lead_can_open_every_tenant_page(world, name):
    client = signed_in(world.people["a_lead"])
    expected = 405 if name in POST_ONLY else 200
    response = client.get(reverse(name, kwargs=TENANT[name][1](world)))
    if response.streaming:  # read a download through, so the test client closes the file
        b"".join(response.streaming_content)
    assert response.status_code == expected


@pytest.mark.parametrize("name", sorted(EDITOR_ONLY))
@pytest.mark.parametrize("who", ["a_lead", "a_consultant"])
def test_editor_pages_refuse_tenants(world, name, who):
    client = signed_in(world.people[who])
    url = reverse(name, kwargs=EDITOR_ONLY[name](world))
    before = list(FrameworkVersion.objects.values_list("pk", "status"))
    assert client.get(url).status_code == 403
    assert post(client, url).status_code == 403
    assert list(FrameworkVersion.objects.values_list("pk", "status")) == before


def test_your_organisations_lists_only_your_own(world):
    text = signed_in(world.people["a_viewer"]).get(reverse("organisations:your_organisations"))
    text = text.content.decode()
    assert world.a.name in text and world.b.name not in text
    consultant_text = signed_in(world.people["b_consultant"]).get(
        reverse("organisations:your_organisations")
    )
    consultant_text = consultant_text.content.decode()
    assert "Your clients" in consultant_text
    assert world.b.name in consultant_text and world.a.name not in consultant_text


def test_account_page_shows_only_your_own(world):
    text = signed_in(world.people["a_viewer"]).get(reverse("accounts:account")).content.decode()
    assert "viewer.a@a.example" in text and world.a.name in text
    assert world.b.name not in text and "lead.a@a.example" not in text


def test_admin_needs_staff(world):
    response = signed_in(world.people["a_lead"]).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_revoked_consultant_loses_access(world):
    from organisations.services import consultant_grant_revoke

    client = signed_in(world.people["a_consultant"])
    url = reverse("organisations:organisation", kwargs={"pk": world.a.pk})
    assert client.get(url).status_code == 200
    consultant_grant_revoke(grant=world.a_grant, by=world.people["a_lead"])
    assert client.get(url).status_code == 404
