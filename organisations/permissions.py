"""What each person may see and do in an organisation: named permissions, decided here only.

Views (through `organisation_view`), downloads, the PDF and the bulk export all ask the same
question, `access.can(Permission.X)`, so a rule is changed in one table, not in every view.
A role is only a bundle of permissions:

| permission        | lead | respondent | viewer | consultant |
| ----------------- | ---- | ---------- | ------ | ---------- |
| view_organisation | yes  | yes        | yes    | yes        |
| answer            | yes  | yes        |        |            |
| view_all_answers  | yes  |            |        |            |
| agree_answers     | yes  |            |        |            |
| run_assessments   | yes  |            |        |            |
| view_results      | yes  | yes        | yes    | yes        |
| export            | yes  | yes        | yes    | yes        |
| manage_people     | yes  |            |        |            |
| view_record       | yes  |            |        |            |
| export_all_data   | yes  |            |        |            |

`answer` includes seeing one's own answers; nobody but a holder of `view_all_answers` ever sees
a colleague's level, evidence or email. Viewers and consultants see the agreed answers, scores
and reports, not who answered what. `export_all_data` is the whole organisation in one file
(people, everyone's answers, the record of changes), so it needs all of the lead's permissions.
"""

from enum import StrEnum

from organisations.models import Role

CONSULTANT = "consultant"


class Permission(StrEnum):
    VIEW_ORGANISATION = "view_organisation"
    ANSWER = "answer"
    VIEW_ALL_ANSWERS = "view_all_answers"
    AGREE_ANSWERS = "agree_answers"
    RUN_ASSESSMENTS = "run_assessments"
    VIEW_RESULTS = "view_results"
    EXPORT = "export"
    MANAGE_PEOPLE = "manage_people"
    VIEW_RECORD = "view_record"
    EXPORT_ALL_DATA = "export_all_data"


_READ = frozenset({Permission.VIEW_ORGANISATION, Permission.VIEW_RESULTS, Permission.EXPORT})
GRANTS: dict[str, frozenset[Permission]] = {
    Role.LEAD: frozenset(Permission),
    Role.RESPONDENT: _READ | {Permission.ANSWER},
    Role.VIEWER: _READ,
    CONSULTANT: _READ,
}

# Why a member is refused, in words for them ({organisation} is filled in).
REFUSALS = {
    Permission.ANSWER: "Only respondents and leads of {organisation} answer its questions.",
    Permission.VIEW_ALL_ANSWERS: "Only a lead of {organisation} sees everyone's answers.",
    Permission.AGREE_ANSWERS: "Only a lead of {organisation} agrees its answers.",
    Permission.RUN_ASSESSMENTS: "Only a lead of {organisation} starts, submits or reopens "
    "assessments.",
    Permission.MANAGE_PEOPLE: "Only a lead of {organisation} manages its people and consultants.",
    Permission.VIEW_RECORD: "Only a lead of {organisation} sees its record of changes.",
    Permission.EXPORT_ALL_DATA: "Only a lead of {organisation} downloads all its data.",
}


def permissions_for(role: str) -> frozenset[Permission]:
    return GRANTS[role]


def refusal(permission: Permission, organisation_name: str) -> str:
    template = REFUSALS.get(permission, "You cannot do this in {organisation}.")
    return template.format(organisation=organisation_name)
