"""The assessments app's parts of lower apps' pages (see maturity.panels), and its actions'
sentences in the record of changes (see maturity.audit.describe)."""

from assessments import audit
from assessments.selectors import organisation_assessments
from maturity.audit.describe import describers
from organisations.panels import organisation_page


def register() -> None:
    organisation_page.register(
        "assessments.list", template="assessments/panels/organisation_assessments.html", order=20
    )(_organisation_assessments)
    for prefix, kind in audit.KINDS.items():
        describers.register(prefix, kind=kind, describe=audit.describe_assessment_events)


def _organisation_assessments(request, *, access, **_):
    return {"assessments": organisation_assessments(access=access)}
