"""The reports app's parts of lower apps' pages (see maturity.panels): an assessment's
downloads, the lead's download of all the organisation's data, and a consultant's links to bulk
exports and branding; that download's line in the record of changes; and the task workers'
housekeeping (see maturity.housekeeping)."""

from assessments.panels import assessment_page, results_page
from maturity import housekeeping
from maturity.audit.describe import describers
from organisations.panels import organisation_page, your_organisations_page
from organisations.permissions import Permission
from reports import organisation_data
from reports.bulk import bulk_exports_reap
from reports.rendering import report_renders_prune, report_renders_reap

DOWNLOADS = "reports/panels/assessment_downloads.html"


def register() -> None:
    # Every task worker fails, now and then, the exports of a worker that died.
    housekeeping.register("reports.reap_bulk_exports", bulk_exports_reap)
    # ... and of report renders, and deletes drawn reports after their hour.
    housekeeping.register("reports.reap_report_renders", report_renders_reap)
    housekeeping.register("reports.prune_report_renders", report_renders_prune)
    assessment_page.register("reports.downloads", template=DOWNLOADS, order=10)(_downloads)
    results_page.register("reports.downloads", template=DOWNLOADS, order=10)(_downloads)
    your_organisations_page.register(
        "reports.clients", template="reports/panels/client_reports.html", order=20
    )(_client_reports)
    organisation_page.register(
        "reports.organisation_data", template="reports/panels/organisation_data.html", order=90
    )(_organisation_data)
    describers.register(
        organisation_data.ACTION.partition(".")[0],
        kind=organisation_data.DOWNLOADS,
        describe=organisation_data.describe_downloads,
    )


def _downloads(request, **_):
    return {}


def _client_reports(request, *, clients, **_):
    return {} if clients else None


def _organisation_data(request, *, access, **_):
    return {} if access.can(Permission.EXPORT_ALL_DATA) else None
