"""Leads change roles and remove members; an organisation never loses its last lead."""

import html

import pytest
from django.urls import reverse

from maturity.audit.models import AuditEvent
from organisations import services
from organisations.models import Membership, Role
from tests.conftest import CsrfClient
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory()


def test_the_only_lead_cannot_step_down_or_be_removed(org):
    lead = MembershipFactory(organisation=org, role=Role.LEAD)
    with pytest.raises(services.LastLeadError, match="only lead"):
        services.membership_change_role(membership=lead, role=Role.VIEWER, by=lead.user)
    with pytest.raises(services.LastLeadError, match="always needs one"):
        services.membership_remove(membership=lead, by=lead.user)
    assert Membership.objects.get(pk=lead.pk).role == Role.LEAD
    assert not AuditEvent.objects.exists()


def test_with_two_leads_one_may_step_down(org):
    first = MembershipFactory(organisation=org, role=Role.LEAD)
    second = MembershipFactory(organisation=org, role=Role.LEAD)
    services.membership_change_role(membership=first, role=Role.RESPONDENT, by=second.user)
    assert Membership.objects.get(pk=first.pk).role == Role.RESPONDENT
    event = AuditEvent.objects.get(action="membership.change_role")
    assert event.changes == {"user": first.user.email, "role": ["lead", "respondent"]}
    assert event.organisation_id == org.pk and event.actor == second.user
    with pytest.raises(services.LastLeadError):
        services.membership_remove(membership=second, by=second.user)


def test_lead_changes_a_role_through_the_page(org):
    lead = MembershipFactory(organisation=org, role=Role.LEAD)
    member = MembershipFactory(organisation=org, role=Role.VIEWER)
    client = CsrfClient()
    client.force_login(lead.user)
    url = reverse("organisations:change_role", kwargs={"pk": org.pk, "membership_pk": member.pk})
    response = client.submit(url, {"role": "respondent"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=member.pk).role == Role.RESPONDENT


def test_last_lead_message_shows_on_the_page(org):
    lead = MembershipFactory(organisation=org, role=Role.LEAD)
    client = CsrfClient()
    client.force_login(lead.user)
    url = reverse("organisations:change_role", kwargs={"pk": org.pk, "membership_pk": lead.pk})
    text = client.submit(url, {"role": "viewer"}).content.decode()
    assert "is the only lead of" in text and "There is a problem" in text
    url = reverse("organisations:remove_member", kwargs={"pk": org.pk, "membership_pk": lead.pk})
    text = client.submit(url, {}).content.decode()
    assert "an organisation always needs one" in text
    assert Membership.objects.filter(pk=lead.pk).exists()


def test_remove_asks_for_confirmation_then_removes_and_audits(org):
    lead = MembershipFactory(organisation=org, role=Role.LEAD)
    member = MembershipFactory(organisation=org, role=Role.RESPONDENT)
    client = CsrfClient()
    client.force_login(lead.user)
    url = reverse("organisations:remove_member", kwargs={"pk": org.pk, "membership_pk": member.pk})
    page = html.unescape(client.get(url).content.decode())  # names like O'Neill are escaped
    assert f"Remove {member.user}" in page and "Remove from organisation" in page
    assert Membership.objects.filter(pk=member.pk).exists()  # a GET changes nothing
    client.submit(url, {})
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert AuditEvent.objects.get(action="membership.remove").changes["user"] == member.user.email


def test_audit_log_page_shows_the_organisations_events_only(org):
    lead = MembershipFactory(organisation=org, role=Role.LEAD)
    member = MembershipFactory(organisation=org, role=Role.VIEWER)
    services.membership_change_role(membership=member, role=Role.RESPONDENT, by=lead.user)
    other_org = OrganisationFactory()
    other_lead = MembershipFactory(organisation=other_org, role=Role.LEAD)
    other_member = MembershipFactory(organisation=other_org, role=Role.VIEWER)
    services.membership_remove(membership=other_member, by=other_lead.user)
    client = CsrfClient()
    client.force_login(lead.user)
    page = client.get(reverse("organisations:audit_log", kwargs={"pk": org.pk}))
    text = html.unescape(page.content.decode())
    assert f"{lead.user} changed {member.user}'s role from viewer to respondent" in text
    assert "membership.change_role" not in text
    assert f"removed {other_member.user}" not in text and other_member.user.email not in text
    assert "Nobody can edit or delete this record" in text


def _orgs_page_queries(django_assert_num_queries, client, expected):
    with django_assert_num_queries(expected):
        assert client.get(reverse("organisations:your_organisations")).status_code == 200


def test_your_organisations_query_count_is_the_same_for_one_and_many(
    django_assert_num_queries,
):
    user = MembershipFactory(role=Role.LEAD).user
    client = CsrfClient()
    client.force_login(user)
    client.get("/")
    # Session, user, memberships, grants (the session is saved once a minute), and the count
    # of the person's open actions (improvement's panel).
    expected = 5
    _orgs_page_queries(django_assert_num_queries, client, expected)
    for _ in range(6):
        MembershipFactory(user=user, role=Role.VIEWER)
    _orgs_page_queries(django_assert_num_queries, client, expected)


def test_organisation_page_query_count_is_the_same_for_few_and_many_members(
    django_assert_num_queries,
):
    org = OrganisationFactory()
    lead = MembershipFactory(organisation=org, role=Role.LEAD)
    client = CsrfClient()
    client.force_login(lead.user)
    url = org.get_absolute_url()
    client.get(url)
    # 9: the improvement plan's panel adds one, its counts of open and overdue actions.
    with django_assert_num_queries(9):
        client.get(url)
    for _ in range(10):
        MembershipFactory(organisation=org)
    with django_assert_num_queries(9):
        client.get(url)
