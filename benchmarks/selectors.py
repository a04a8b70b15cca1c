"""Reads for the benchmark pages, scoped through the organisation's `Access`."""

from assessments.models import Assessment
from organisations.selectors import Access


def frameworks_with_submissions(*, access: Access) -> list[tuple[str, str]]:
    """(slug, name) of each framework the organisation has submitted an assessment on."""
    return list(
        Assessment.objects.filter(
            organisation=access.organisation, status=Assessment.Status.SUBMITTED
        )
        .values_list("framework_version__framework__slug", "framework_version__framework__name")
        .distinct()
        .order_by("framework_version__framework__name")
    )
