from dataclasses import dataclass

import pytest

from frameworks.models import Question
from organisations.models import Role
from tests.conftest import CsrfClient
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
    submit,
)


@dataclass
class Body:
    organisation: object
    fv: object
    assessment: object
    lead: object
    respondent: object
    viewer: object
    questions: list

    def client(self, user) -> CsrfClient:
        client = CsrfClient()
        client.force_login(user)
        return client


@pytest.fixture
def body(db):
    organisation = OrganisationFactory(name="Sorrelden District Council")
    fv = make_version(publish=True)
    lead = MembershipFactory(
        organisation=organisation,
        role=Role.LEAD,
        user=UserFactory(email="lead@sorrelden.example", full_name="Lena Lead"),
    ).user
    respondent = MembershipFactory(
        organisation=organisation,
        role=Role.RESPONDENT,
        user=UserFactory(email="rory@sorrelden.example", full_name="Rory Respondent"),
    ).user
    viewer = MembershipFactory(
        organisation=organisation,
        role=Role.VIEWER,
        user=UserFactory(email="vera@sorrelden.example", full_name="Vera Viewer"),
    ).user
    questions = list(
        Question.objects.filter(dimension__framework_version=fv).order_by(
            "dimension__position", "position"
        )
    )
    assessment, _ = submit(organisation, fv, [2] * len(questions), "2025/26", lead=lead)
    return Body(organisation, fv, assessment, lead, respondent, viewer, questions)
