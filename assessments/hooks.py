"""The assessments app's parts of lower apps' pages (see maturity.panels)."""

from assessments.selectors import organisation_assessments
from organisations.panels import organisation_page


def register() -> None:
    organisation_page.register(
        "assessments.list", template="assessments/panels/organisation_assessments.html", order=20
    )(_organisation_assessments)


def _organisation_assessments(request, *, access, **_):
    return {"assessments": organisation_assessments(access=access)}
