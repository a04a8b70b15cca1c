"""The improvement plan: add an action from results, the plan, an action, your actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from assessments.selectors import organisation_assessment, scale_levels
from frameworks.models import Question
from improvement import permissions, selectors, services
from improvement.forms import ActionForm, NoteForm, PlanFilterForm, PlanSettingsForm, StatusForm
from improvement.models import Action
from organisations.decorators import organisation_view
from organisations.permissions import Permission

STALE = (
    "Someone changed this action since you opened it. Its current details are shown: check "
    "them and make your change again."
)


def _plan_url(access):
    return reverse("improvement:plan", kwargs={"pk": access.organisation.pk})


def _action_form(request, access, assessment, *, data=None, initial=None):
    return ActionForm(
        data,
        initial=initial,
        framework_version=assessment.framework_version,
        members=selectors.possible_owners(organisation=access.organisation),
        levels=scale_levels(assessment=assessment),
    )


def _values(form):
    data = form.cleaned_data
    return {
        "title": data["title"],
        "description": data["description"],
        "dimension": data["dimension"],
        "questions": list(data["questions"]),
        "target_level": data["target_level"],
        "owner": data["owner"].user if data["owner"] else None,
        "due_date": data["due_date"],
    }


def _prefill(request, assessment) -> dict:
    """From the results page's links: ?dimension=<id> or ?question=<id>, with ?level=."""
    initial = {}
    fv = assessment.framework_version
    dimension = request.GET.get("dimension", "")
    question = request.GET.get("question", "")
    if question.isdigit():
        found = (
            Question.objects.filter(dimension__framework_version=fv, pk=question)
            .select_related("dimension")
            .first()
        )
        if found:
            initial.update(dimension=found.dimension_id, questions=[found.pk])
            initial["title"] = f"Move “{found.text[:120]}” up"
    elif dimension.isdigit():
        found = fv.dimensions.filter(pk=dimension).first()
        if found:
            initial.update(dimension=found.pk, title=f"Improve {found.name}")
    level = request.GET.get("level", "")
    if level.lstrip("-").isdigit():
        initial["target_level"] = int(level)
    return initial


@organisation_view(Permission.VIEW_RESULTS)
@require_http_methods(["GET", "POST"])
def action_add(request, access, apk):
    permissions.require_edit(access)
    assessment = organisation_assessment(access=access, pk=apk)
    if request.method == "POST":
        form = _action_form(request, access, assessment, data=request.POST)
        if form.is_valid():
            action = services.action_create(assessment=assessment, by=request.user, **_values(form))
            messages.success(request, f"Action added: {action.title}")
            return redirect(action.get_absolute_url())
    else:
        form = _action_form(request, access, assessment, initial=_prefill(request, assessment))
    return render(
        request,
        "improvement/action_form.html",
        {
            "access": access,
            "assessment": assessment,
            "form": form,
            "title": "Add an action",
            "back": reverse(
                "assessments:results", kwargs={"pk": access.organisation.pk, "apk": assessment.pk}
            ),
        },
    )


@organisation_view(Permission.VIEW_RESULTS)
@require_http_methods(["GET", "POST"])
def action_edit(request, access, action_pk):
    permissions.require_edit(access)
    action = selectors.organisation_action(access=access, pk=action_pk)
    assessment = action.assessment
    current = {
        "title": action.title,
        "description": action.description,
        "dimension": action.dimension_id,
        "questions": [q.pk for q in action.questions.all()],
        "target_level": action.target_level,
        "owner": selectors.possible_owners(organisation=access.organisation)
        .filter(user_id=action.owner_id)
        .first(),
        "due_date": action.due_date,
        "version": action.version,
    }
    if request.method == "POST":
        form = _action_form(request, access, assessment, data=request.POST)
        if form.is_valid():
            try:
                action = services.action_update(
                    action=action,
                    by=request.user,
                    base_version=form.cleaned_data["version"] or 0,
                    **_values(form),
                )
            except services.ActionConflict:
                messages.error(request, STALE)
                return redirect(
                    reverse("improvement:action_edit", args=[access.organisation.pk, action.pk])
                )
            messages.success(request, "Action saved")
            return redirect(action.get_absolute_url())
    else:
        form = _action_form(request, access, assessment, initial=current)
    return render(
        request,
        "improvement/action_form.html",
        {
            "access": access,
            "assessment": assessment,
            "action": action,
            "form": form,
            "title": "Change the action",
            "back": action.get_absolute_url(),
        },
    )


@organisation_view(Permission.VIEW_RESULTS)
def plan(request, access):
    owners = selectors.owners_in_plan(access=access)
    filters = PlanFilterForm(request.GET, owners=owners)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    actions = selectors.with_target_labels(
        selectors.organisation_actions(
            access=access,
            status=chosen.get("status", ""),
            owner=chosen.get("owner", ""),
            overdue=chosen.get("overdue", False),
        )
    )
    return render(
        request,
        "improvement/plan.html",
        {
            "access": access,
            "actions": actions,
            "filters": filters,
            "filtered": any(chosen.values()),
            "may_edit": permissions.may_edit(access),
            "may_switch": access.can(Permission.RUN_ASSESSMENTS),
        },
    )


@organisation_view(Permission.VIEW_RESULTS)
@require_http_methods(["GET", "POST"])
def plan_settings(request, access):
    permissions.require_switch(access)
    form = PlanSettingsForm(
        request.POST or None,
        initial={"respondents_may_edit": permissions.respondents_may_edit(access.organisation)},
    )
    if request.method == "POST" and form.is_valid():
        services.plan_settings_set(
            organisation=access.organisation,
            by=request.user,
            respondents_may_edit=form.cleaned_data["respondents_may_edit"],
        )
        messages.success(request, "Settings saved")
        return redirect(_plan_url(access))
    return render(
        request,
        "improvement/form_page.html",
        {
            "access": access,
            "form": form,
            "title": "Who may add actions",
            "back": _plan_url(access),
        },
    )


@organisation_view(Permission.VIEW_RESULTS)
def action_detail(request, access, action_pk):
    action = selectors.organisation_action(access=access, pk=action_pk)
    selectors.with_target_labels([action])
    may_update = permissions.may_update(access, action)
    status_form = None
    if may_update:
        status_form = StatusForm(initial={"status": action.status, "version": action.version})
        status_form.helper.form_action = reverse(
            "improvement:action_status", args=[access.organisation.pk, action.pk]
        )
    return render(
        request,
        "improvement/action.html",
        {
            "access": access,
            "action": action,
            "notes": selectors.action_notes(action=action),
            "may_edit": permissions.may_edit(access),
            "may_update": may_update,
            "status_form": status_form,
        },
    )


@organisation_view(Permission.VIEW_RESULTS)
@require_http_methods(["GET", "POST"])
def action_status(request, access, action_pk):
    action = selectors.organisation_action(access=access, pk=action_pk)
    permissions.require_update(access, action)
    form = StatusForm(
        request.POST or None, initial={"status": action.status, "version": action.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_set_status(
                action=action,
                by=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                base_version=form.cleaned_data["version"],
            )
        except services.ActionConflict:
            messages.error(request, STALE)
            return redirect(action.get_absolute_url())
        messages.success(
            request, f"Status saved: {Action.Status(form.cleaned_data['status']).label}"
        )
        return redirect(action.get_absolute_url())
    return render(
        request,
        "improvement/form_page.html",
        {
            "access": access,
            "form": form,
            "title": "Change the status",
            "caption": action.title,
            "back": action.get_absolute_url(),
        },
    )


@organisation_view(Permission.VIEW_RESULTS)
@require_http_methods(["GET", "POST"])
def action_note(request, access, action_pk):
    action = selectors.organisation_action(access=access, pk=action_pk)
    permissions.require_update(access, action)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.action_note_add(action=action, by=request.user, text=form.cleaned_data["text"])
        messages.success(request, "Note added")
        return redirect(action.get_absolute_url())
    return render(
        request,
        "improvement/form_page.html",
        {
            "access": access,
            "form": form,
            "title": "Add a note",
            "caption": action.title,
            "back": action.get_absolute_url(),
        },
    )


@login_required
@require_safe
def your_actions(request):
    actions = selectors.with_target_labels(selectors.your_actions(user=request.user))
    return render(
        request,
        "improvement/your_actions.html",
        {
            "open": [a for a in actions if a.is_open],
            "closed": [a for a in actions if not a.is_open],
        },
    )
