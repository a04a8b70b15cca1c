"""How benchmarks joins in the work and pages of the apps below it, which never import it.

Peer values follow every submission, reopening, reclassification and peer-group change (the
rules themselves are in `services`); the organisation, "your organisations" and results pages
link to the dashboards and comparisons (see maturity.panels).
"""

from assessments.panels import results_page
from assessments.signals import submissions_changed
from benchmarks.selectors import frameworks_with_submissions
from benchmarks.services import (
    peer_releases_note,
    peer_values_rebuild,
    peer_values_refresh_for_organisations,
)
from frameworks.models import FrameworkVersion
from frameworks.selectors import published_versions
from organisations.panels import organisation_page, your_organisations_page
from organisations.signals import organisations_reclassified, peer_groups_changed


def register() -> None:
    submissions_changed.connect(_submissions_changed, dispatch_uid="benchmarks.submissions")
    peer_groups_changed.connect(_peer_groups_changed, dispatch_uid="benchmarks.peer_groups")
    organisations_reclassified.connect(
        _organisations_reclassified, dispatch_uid="benchmarks.reclassified"
    )
    organisation_page.register(
        "benchmarks.dashboards",
        template="benchmarks/panels/organisation_dashboards.html",
        order=10,
    )(_organisation_dashboards)
    your_organisations_page.register(
        "benchmarks.compare", template="benchmarks/panels/compare_clients.html", order=10
    )(_compare_clients)
    results_page.register(
        "benchmarks.dashboard", template="benchmarks/panels/results_dashboard.html", order=20
    )(_results_dashboard)


def _submissions_changed(sender, *, framework_version_id, organisation_id, **kwargs):
    peer_values_rebuild(framework_version_ids=[framework_version_id])
    peer_releases_note(
        framework_version_id=framework_version_id, organisation_ids=[organisation_id]
    )


def _peer_groups_changed(sender, **kwargs):
    peer_values_rebuild(
        framework_version_ids=FrameworkVersion.objects.filter(
            status=FrameworkVersion.Status.PUBLISHED
        ).values_list("pk", flat=True)
    )


def _organisations_reclassified(sender, *, organisation_ids, **kwargs):
    peer_values_refresh_for_organisations(organisation_ids=organisation_ids)


def _organisation_dashboards(request, *, access, **_):
    dashboards = frameworks_with_submissions(access=access)
    return {"dashboards": dashboards} if dashboards else None


def _compare_clients(request, *, clients, **_):
    if not clients:
        return None
    frameworks = {(v.framework.slug, v.framework.name) for v in published_versions()}
    return {"compare_frameworks": sorted(frameworks, key=str)}


def _results_dashboard(request, **_):
    return {}
