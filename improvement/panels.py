"""The improvement plan's panels on the results, organisation and your-organisations pages
(registered in improvement.hooks)."""

from assessments.models import AgreedAnswer, Score
from frameworks import structure
from improvement import permissions, selectors
from organisations.permissions import Permission

# The roadmap on the results page: the lead's targets above the agreed level, largest gap first.
ROADMAP_ROWS = 12


def results(request, *, access, assessment, **_):
    if not assessment.is_submitted or not access.can(Permission.VIEW_RESULTS):
        return None
    may_edit = permissions.may_edit(access)
    fv = assessment.framework_version
    actions, carried = selectors.results_actions(assessment=assessment)
    context = {
        "may_edit": may_edit,
        "actions": actions,
        "carried": carried,
        "level_labels": selectors.level_labels([fv]),
        "fv_id": assessment.framework_version_id,
    }
    if may_edit:
        levels = sorted(context["level_labels"])
        values = [value for _, value in levels]
        top = values[-1] if values else None
        bands = dict(
            Score.objects.filter(assessment=assessment, scope=Score.Scope.DIMENSION).values_list(
                "dimension_id", "band_value"
            )
        )
        context["dimensions"] = [
            {
                "dimension": d,
                "next": next(
                    (v for v in values if bands.get(d.pk) is not None and v > bands[d.pk]), top
                ),
            }
            for d in structure.dimensions(fv)
        ]
        targets = [
            a
            for a in AgreedAnswer.objects.filter(
                assessment=assessment, state=AgreedAnswer.State.LEVEL, target_level__isnull=False
            ).select_related("question__dimension")
            if a.level is not None and a.target_level > a.level
        ]
        targets.sort(key=lambda a: -(a.target_level - a.level))
        context["targets"] = targets[:ROADMAP_ROWS]
    return context


def organisation(request, *, access, **_):
    if not access.can(Permission.VIEW_RESULTS):
        return None
    return {"counts": selectors.action_counts(access=access)}


def your_actions(request, **_):
    return {"open_count": selectors.your_open_action_count(user=request.user)}
