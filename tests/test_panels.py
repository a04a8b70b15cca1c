"""Page panels: how a lower app's page shows a higher app's part without importing it."""

import pytest
from django.test import RequestFactory

from assessments.panels import assessment_page, results_page
from maturity.panels import Panels
from organisations.panels import organisation_page, your_organisations_page

TEMPLATE = "benchmarks/panels/results_dashboard.html"


def test_panels_draw_in_order_skip_none_and_replace_by_name(db):
    page = Panels("test")
    seen = []

    @page.register("b.second", template="organisations/includes/breadcrumbs.html", order=20)
    def second(request, **context):
        seen.append(("second", context))
        return {}

    @page.register("a.hidden", template="organisations/includes/breadcrumbs.html", order=10)
    def hidden(request, **context):
        seen.append(("hidden", context))
        return None

    assert page.names == ["a.hidden", "b.second"]
    rendered = page.render(RequestFactory().get("/"), access=None)
    assert len(rendered) == 1 and "Your organisations" in rendered[0]
    assert seen == [("hidden", {"access": None}), ("second", {"access": None})]
    page.register("b.second", template=TEMPLATE, order=5)(second)
    assert page.names == ["b.second", "a.hidden"]


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            organisation_page,
            [
                "benchmarks.dashboards",
                "assessments.list",
                "improvement.plan",
                "reports.organisation_data",
            ],
        ),
        (
            your_organisations_page,
            ["benchmarks.compare", "improvement.your_actions", "reports.clients"],
        ),
        (assessment_page, ["reports.downloads"]),
        (results_page, ["improvement.results", "reports.downloads", "benchmarks.dashboard"]),
    ],
)
def test_each_app_registers_its_panels_when_django_starts(page, expected):
    assert page.names == expected
