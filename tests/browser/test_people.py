"""A lead invites a colleague, who accepts, creates an account and signs in again later."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from organisations.models import Membership, Role
from tests.browser.conftest import assert_accessible, assert_no_console_errors, sign_in, watch
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_lead_invites_a_colleague_who_joins_and_signs_in(live_server, browser, settings):
    # Email goes through the task queue; here it is sent as soon as it is queued.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    org = OrganisationFactory(name="Delta County Council")
    MembershipFactory(
        organisation=org,
        role=Role.LEAD,
        user=UserFactory(email="lead@delta.example", full_name="Lee Lead"),
    )
    base = live_server.url

    lead_context = browser.new_context()
    lead = watch(lead_context.new_page())
    sign_in(lead, base, "lead@delta.example", PASSWORD)
    expect(lead.get_by_role("heading", level=1)).to_have_text("Your organisations")
    assert_accessible(lead)
    lead.get_by_role("link", name="Delta County Council").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Delta County Council")
    assert_accessible(lead)

    lead.get_by_role("button", name="Invite someone").click()
    lead.get_by_role("button", name="Send invitation").click()  # empty: errors first
    expect(lead.locator(".govuk-error-summary")).to_contain_text("Enter an email address")
    assert_accessible(lead)
    lead.get_by_label("Email address").fill("sam.officer@delta.example")
    lead.get_by_label("Respondent").check()
    lead.get_by_role("button", name="Send invitation").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text(
        "Invitation sent to sam.officer@delta.example as respondent"
    )
    expect(lead.get_by_role("table", name="Invitations waiting to be accepted")).to_contain_text(
        "sam.officer@delta.example"
    )
    assert_no_console_errors(lead)

    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    colleague_context = browser.new_context()
    colleague = watch(colleague_context.new_page())
    colleague.goto(link)
    expect(colleague.get_by_role("heading", level=1)).to_have_text("Join Delta County Council")
    assert_accessible(colleague)
    colleague.get_by_label("Full name").fill("Sam Officer")
    colleague.get_by_label("Create a password").fill("river-lantern-orchard-42")
    colleague.get_by_label("Confirm password").fill("river-lantern-orchard-42")
    colleague.get_by_role("button", name="Create account and join").click()
    expect(colleague.locator(".govuk-notification-banner")).to_contain_text(
        "You have joined Delta County Council"
    )
    expect(colleague.get_by_text("You are a respondent here.")).to_be_visible()
    assert Membership.objects.get(user__email="sam.officer@delta.example").role == Role.RESPONDENT

    colleague.get_by_role("button", name="Sign out").click()
    expect(colleague.get_by_role("heading", level=1)).to_have_text("You have signed out")
    sign_in(colleague, base, "sam.officer@delta.example", "river-lantern-orchard-42")
    expect(colleague.get_by_role("heading", level=1)).to_have_text("Your organisations")
    expect(colleague.get_by_role("table", name="Organisations you belong to")).to_contain_text(
        "Delta County Council"
    )
    assert_accessible(colleague)
    # The same link cannot be used twice.
    colleague.goto(link)
    expect(colleague.get_by_role("heading", level=1)).to_have_text("This invitation cannot be used")

    lead.reload()
    expect(lead.get_by_role("table", name="Members")).to_contain_text("Sam Officer")
    assert_no_console_errors(colleague)
