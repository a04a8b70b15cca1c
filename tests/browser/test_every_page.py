"""axe-core (WCAG 2.2 A and AA) on every HTML page of every role's journey.

The pages come from the isolation test's lists (tests/test_isolation.py), which must cover every
URL pattern, so a new page joins this sweep as soon as it is routed. Each page is opened as the
person who may see it, signed in through a session cookie; downloads (CSV, JSON, YAML, PDF,
spreadsheets, zips) and POST-only URLs are not HTML pages and are left out. Django's admin is
out of scope (see the accessibility statement).
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from organisations.models import Role
from organisations.services import invitation_token
from tests.browser.conftest import assert_accessible
from tests.factories import UserFactory
from tests.test_isolation import (
    EDITOR_ONLY,
    OWN_DATA,
    POST_ONLY,
    PUBLIC,
    TENANT,
    _fv_kwargs,
    all_url_names,
    world,  # noqa: F401  (fixture: two organisations, fully populated)
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.once]

# Public pages that take arguments: the values for organisation A's world.
PUBLIC_KWARGS = {
    "frameworks:framework": lambda w: {"slug": w.framework_version.framework.slug},
    "frameworks:version": _fv_kwargs,
    "frameworks:download_yaml": _fv_kwargs,
    "frameworks:download_json": _fv_kwargs,
    "frameworks:download_xlsx": _fv_kwargs,
    "frameworks:questionnaire_pdf": _fv_kwargs,
    "frameworks:diff": _fv_kwargs,
    "frameworks:diff_csv": _fv_kwargs,
    "organisations:invitation": lambda w: {"token": invitation_token(w.a_invitation)},
    "accounts:password_reset_confirm": lambda w: {
        "uidb64": urlsafe_base64_encode(force_bytes(w.people["b_viewer"].pk)),
        "token": default_token_generator.make_token(w.people["b_viewer"]),
    },
    "benchmarks:national": lambda w: {"framework": w.framework_version.framework.slug},
    "benchmarks:national_csv": lambda w: {"framework": w.framework_version.framework.slug},
    "benchmarks:national_json": lambda w: {"framework": w.framework_version.framework.slug},
    "benchmarks:national_version": lambda w: {
        "framework": w.framework_version.framework.slug,
        "version": w.framework_version.version,
    },
    "benchmarks:national_version_csv": lambda w: {
        "framework": w.framework_version.framework.slug,
        "version": w.framework_version.version,
    },
    "benchmarks:national_version_json": lambda w: {
        "framework": w.framework_version.framework.slug,
        "version": w.framework_version.version,
    },
}
# Not pages: a health check for load balancers, and sign-out (POST only).
NOT_PAGES = {"healthz", "accounts:logout"} | POST_ONLY
# Who opens each personal page: the consultant's tools as the consultant, the rest as a lead.
CONSULTANT_PAGES = {"benchmarks:compare"} | {n for n in OWN_DATA if n.startswith("reports:")}
# The weakest role that may open a tenant page opens it, and so does the lead.
TENANT_PERSON = {Role.VIEWER: "a_viewer", Role.RESPONDENT: "a_respondent", Role.LEAD: "a_lead"}


@dataclass(frozen=True)
class Visit:
    name: str
    who: str  # a key of world.people, "editor", or "" for a visitor who is not signed in
    url: str


def visits(w) -> list[Visit]:
    """Every routed URL of the sweep, as the person who may open it."""
    found = []
    for name in sorted(all_url_names() - NOT_PAGES):
        if name in PUBLIC:
            who, kwargs = "", PUBLIC_KWARGS.get(name, lambda w: {})(w)
        elif name in OWN_DATA:
            who, kwargs = ("a_consultant" if name in CONSULTANT_PAGES else "a_lead"), OWN_DATA[name]
            kwargs = kwargs(w)
        elif name in TENANT:
            role, kwargs = TENANT[name]
            who, kwargs = TENANT_PERSON[role], kwargs(w)
            if role != Role.LEAD:  # the lead sees the same page with more on it
                found.append(Visit(name, "a_lead", reverse(name, kwargs=kwargs)))
        elif name in EDITOR_ONLY:
            who, kwargs = "editor", EDITOR_ONLY[name](w)
        else:
            continue  # not yet on the isolation lists, whose own test fails until it is
        found.append(Visit(name, who, reverse(name, kwargs=kwargs)))
    # The error page, which anyone may meet.
    found.append(Visit("404", "", "/no-such-page/"))
    return found


def signed_in_context(browser, live_server, user, **options):
    """A browser context carrying a session made by force_login: no sign-in form to fill."""
    context = browser.new_context(**options)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def sweep(browser, live_server, w, check, **options):
    """Open every HTML page of `visits(w)`, one browser context per person, and call
    check(page, visit) on each. Returns the visits that were HTML pages."""
    people = {**w.people, "editor": UserFactory(editor=True, email="editor@example.com"), "": None}
    by_person = {}
    for visit in visits(w):
        by_person.setdefault(visit.who, []).append(visit)
    seen = []
    for who, person_visits in by_person.items():
        context = signed_in_context(browser, live_server, people[who], **options)
        page = context.new_page()
        for visit in person_visits:
            url = f"{live_server.url}{visit.url}"
            head = context.request.get(url)
            if not head.headers.get("content-type", "").startswith("text/html") or (
                "attachment" in head.headers.get("content-disposition", "")
            ):
                continue
            response = page.goto(url)
            assert response.status < 500, f"{visit.url} as {who or 'a visitor'}: {response.status}"
            check(page, visit)
            seen.append(visit)
        context.close()
    return seen


def test_every_page_has_no_axe_violations(live_server, browser, world):  # noqa: F811
    problems = {}

    def check(page, visit):
        try:
            assert_accessible(page)
        except AssertionError as error:
            problems[f"{visit.name} as {visit.who or 'visitor'}"] = str(error)

    seen = sweep(browser, live_server, world, check)
    assert problems == {}, "\n\n".join(f"{k}:\n{v}" for k, v in problems.items())
    # The sweep really reached the pages of every kind of person.
    assert {v.who for v in seen} >= {"", "a_lead", "a_respondent", "a_viewer", "a_consultant"}
    assert {"assessments:question", "benchmarks:dashboard", "accessibility"} <= {
        v.name for v in seen
    }
    print(f"\naxe: {len(seen)} pages, 0 violations")


# Forms that refuse an empty submission, so their error state can be checked without changing
# anything: (who fills it in, the form's page).
EMPTY_FORMS = [
    ("", "accounts:login"),
    ("", "accounts:password_reset"),
    ("a_lead", "accounts:password_change"),
    ("a_lead", "organisations:invite"),
    ("a_lead", "organisations:grant"),
    ("a_lead", "assessments:start"),
    ("a_respondent", "assessments:evidence_attach"),
    ("editor", "frameworks:import"),
    ("editor", "frameworks:create"),
    ("editor", "frameworks:editor_level_add"),
    ("editor", "frameworks:editor_facet_add"),
    ("editor", "frameworks:editor_value_add"),
    ("editor", "frameworks:editor_dimension_add"),
    ("editor", "frameworks:editor_question_add"),
]


def test_forms_showing_their_errors_have_no_axe_violations(live_server, browser, world):  # noqa: F811
    """The error summary and the messages by each field are part of every form's journey."""
    urls = {(v.who, v.name): v.url for v in visits(world)}
    editor = UserFactory(editor=True, email="editor@example.com")
    problems = {}
    for who, name in EMPTY_FORMS:
        person = editor if who == "editor" else world.people.get(who)
        context = signed_in_context(browser, live_server, person)
        page = context.new_page()
        page.goto(f"{live_server.url}{urls[who, name]}")
        page.locator("main form[method=post] [type=submit]").first.click()
        page.locator(".govuk-error-summary").wait_for()
        try:
            assert_accessible(page)
        except AssertionError as error:
            problems[name] = str(error)
        context.close()
    assert problems == {}, "\n\n".join(f"{k}:\n{v}" for k, v in problems.items())
