"""The assessments app's parts of lower apps' pages (see maturity.panels), and its actions'
sentences in the record of changes (see maturity.audit.describe)."""

from assessments import audit
from assessments.selectors import organisation_assessments
from maturity.audit.describe import describers
from organisations.panels import organisation_page
from organisations.signals import membership_role_set


def register() -> None:
    organisation_page.register(
        "assessments.list", template="assessments/panels/organisation_assessments.html", order=20
    )(_organisation_assessments)
    membership_role_set.connect(_member_may_answer, dispatch_uid="assessments.member_may_answer")
    for prefix, kind in audit.KINDS.items():
        describers.register(prefix, kind=kind, describe=audit.describe_assessment_events)
    describers.register("evidence", kind=audit.EVIDENCE, describe=audit.describe_evidence_events)


def _member_may_answer(sender, *, membership, previous_role, by, base_url, **_):
    from assessments.services import member_may_answer

    member_may_answer(membership=membership, previous_role=previous_role, by=by, base_url=base_url)


def _organisation_assessments(request, *, access, **_):
    return {"assessments": organisation_assessments(access=access)}
