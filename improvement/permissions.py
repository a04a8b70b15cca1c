"""Who may do what with an organisation's improvement plan, decided here only.

Everyone who sees the results (leads, respondents, viewers, consultants with a grant) reads the
plan. Leads add and edit actions; respondents too when a lead has switched that on. An action's
owner changes its status and adds notes, whatever their role. Consultants read only: their grant
is to read and export, never to change.
"""

from django.core.exceptions import PermissionDenied

from improvement.models import Action, PlanSettings
from organisations.permissions import Permission
from organisations.selectors import Access


def respondents_may_edit(organisation) -> bool:
    return PlanSettings.objects.filter(
        organisation=organisation, respondents_may_edit=True
    ).exists()


def may_edit(access: Access, *, respondents_allowed: bool | None = None) -> bool:
    if access.can(Permission.RUN_ASSESSMENTS):
        return True
    if not access.can(Permission.ANSWER):
        return False
    if respondents_allowed is None:
        respondents_allowed = respondents_may_edit(access.organisation)
    return respondents_allowed


def may_update(access: Access, action: Action, *, respondents_allowed: bool | None = None) -> bool:
    """Change the status or add a note: editors, and the action's owner."""
    if access.membership is not None and action.owner_id == access.membership.user_id:
        return True
    return may_edit(access, respondents_allowed=respondents_allowed)


def require_edit(access: Access) -> None:
    if not may_edit(access):
        raise PermissionDenied(
            f"Only a lead of {access.organisation.name} adds or changes actions, unless a lead "
            "lets respondents do it too."
        )


def require_update(access: Access, action: Action) -> None:
    if not may_update(access, action):
        raise PermissionDenied(
            "Only the action's owner and the people who edit the plan change its status or "
            "add notes."
        )


def require_switch(access: Access) -> None:
    access.require(Permission.RUN_ASSESSMENTS)
