"""The reports app's parts of lower apps' pages (see maturity.panels): an assessment's
downloads, and a consultant's links to bulk exports and branding."""

from assessments.panels import assessment_page, results_page
from organisations.panels import your_organisations_page

DOWNLOADS = "reports/panels/assessment_downloads.html"


def register() -> None:
    assessment_page.register("reports.downloads", template=DOWNLOADS, order=10)(_downloads)
    results_page.register("reports.downloads", template=DOWNLOADS, order=10)(_downloads)
    your_organisations_page.register(
        "reports.clients", template="reports/panels/client_reports.html", order=20
    )(_client_reports)


def _downloads(request, **_):
    return {}


def _client_reports(request, *, clients, **_):
    return {} if clients else None
