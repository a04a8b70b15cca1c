"""Every write in the assessments app. Each service runs in one transaction and audits itself.

people: invitations, memberships and consultant grants.
answers: assessments, answers, agreed answers, submission and scores.
"""

from assessments.services.answers import (
    AnswerConflict,
    AnswerData,
    AssessmentIncomplete,
    AssessmentLocked,
    agreed_answer_save,
    answer_save,
    assessment_compute_scores,
    assessment_reopen,
    assessment_start,
    assessment_submit,
    missing_agreed_answers,
    refresh_latest_submissions,
    store_scores,
)
from assessments.services.people import (
    INVITATION_SALT,
    AlreadyThere,
    InvitationInvalid,
    LastLeadError,
    account_create_for_invitation,
    consultant_grant_revoke,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    invitation_token,
    invitation_url,
    membership_change_role,
    membership_remove,
)

__all__ = [
    "INVITATION_SALT",
    "AlreadyThere",
    "AnswerConflict",
    "AnswerData",
    "AssessmentIncomplete",
    "AssessmentLocked",
    "InvitationInvalid",
    "LastLeadError",
    "account_create_for_invitation",
    "agreed_answer_save",
    "answer_save",
    "assessment_compute_scores",
    "assessment_reopen",
    "assessment_start",
    "assessment_submit",
    "consultant_grant_revoke",
    "invitation_accept",
    "invitation_create",
    "invitation_from_token",
    "invitation_revoke",
    "invitation_token",
    "invitation_url",
    "membership_change_role",
    "membership_remove",
    "missing_agreed_answers",
    "refresh_latest_submissions",
    "store_scores",
]
