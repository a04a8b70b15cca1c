"""The improvement plan's parts of lower apps' pages (see maturity.panels), and its sentences in
the record of changes (see maturity.audit.describe)."""

from assessments.panels import results_page
from improvement import audit, panels
from maturity.audit.describe import describers
from organisations.panels import organisation_page, your_organisations_page


def register() -> None:
    results_page.register(
        "improvement.results", template="improvement/panels/results.html", order=5
    )(panels.results)
    organisation_page.register(
        "improvement.plan", template="improvement/panels/organisation.html", order=25
    )(panels.organisation)
    your_organisations_page.register(
        "improvement.your_actions", template="improvement/panels/your_actions.html", order=15
    )(panels.your_actions)
    for prefix in audit.PREFIXES:
        describers.register(prefix, kind=audit.ACTIONS, describe=audit.describe_plan_events)
