"""The assessment journey: start, task list, answer, agree, check, submit, results, explain.

Every page works without JavaScript. With it, answers autosave (autosave views answer JSON).
"""

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessments import evidence, panels, scoring, selectors, services
from assessments.forms import (
    AcceptSuggestionsForm,
    AgreeForm,
    AnswerForm,
    EvidenceForm,
    ReopenForm,
    StartAssessmentForm,
)
from assessments.models import Assessment
from frameworks import layers, structure
from frameworks import selectors as framework_selectors
from frameworks.selectors import published_versions
from frameworks.views import author_required
from maturity.forms import ConfirmForm
from organisations.decorators import organisation_view
from organisations.permissions import Permission


def _assessment_url(assessment, name="assessment", **kwargs):
    return reverse(
        f"assessments:{name}",
        kwargs={"pk": assessment.organisation_id, "apk": assessment.pk, **kwargs},
    )


@organisation_view(Permission.RUN_ASSESSMENTS)
@require_http_methods(["GET", "POST"])
def start(request, access):
    versions = published_versions().order_by("name", "-created_at")
    form = StartAssessmentForm(
        request.POST or None,
        organisation=access.organisation,
        versions=versions,
        initial={"round_label": _current_round()},
    )
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["framework_version"]
        carry_from = None
        if form.cleaned_data["carry_over"]:
            carry_from = (
                Assessment.objects.filter(
                    organisation=access.organisation,
                    framework_version__framework_id=version.framework_id,
                    status=Assessment.Status.SUBMITTED,
                )
                .order_by("-submitted_at")
                .first()
            )
        assessment = services.assessment_start(
            organisation=access.organisation,
            framework_version=version,
            round_label=form.cleaned_data["round_label"],
            due_date=form.cleaned_data["due_date"],
            carry_from=carry_from,
            user=request.user,
            base_url=request.build_absolute_uri("/"),
        )
        note = (
            f", starting from the answers agreed in {carry_from.round_label}" if carry_from else ""
        )
        messages.success(request, f"{assessment.round_label} assessment started{note}.")
        return redirect(assessment)
    return render(request, "assessments/start.html", {"access": access, "form": form})


def _current_round() -> str:
    today = timezone.localdate()
    first = today.year if today.month >= 4 else today.year - 1
    return f"{first}/{str(first + 1)[-2:]}"


@organisation_view(Permission.VIEW_ORGANISATION)
def assessment_detail(request, access, apk):
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    rows = selectors.assessment_task_list(assessment=assessment, user=request.user)
    total = sum(len(r.questions) for r in rows)
    progress = (
        selectors.assessment_progress_by_person(assessment=assessment)
        if access.can(Permission.VIEW_ALL_ANSWERS)
        else []
    )
    return render(
        request,
        "assessments/task_list.html",
        {
            "access": access,
            "assessment": assessment,
            "rows": rows,
            "total": total,
            "mine": sum(r.mine for r in rows),
            "agreed": sum(r.agreed for r in rows),
            "to_check": [item for r in rows for item in r.to_check],
            "can_answer": access.can(Permission.ANSWER) and not assessment.is_submitted,
            "finished_at": _own_finished_at(access, assessment, request.user, progress),
            "progress": progress,
            "finished_count": sum(1 for p in progress if p.finished_at),
            "panels": panels.assessment_page.render(request, access=access, assessment=assessment),
        },
    )


def _own_finished_at(access, assessment, user, progress):
    """When this person said they had finished answering (None: not yet, or not one who
    answers). A lead's own row is in `progress` already, which saves a query."""
    if not access.can(Permission.ANSWER):
        return None
    mine = next((p for p in progress if p.person.pk == user.pk), None)
    if mine is not None:
        return mine.finished_at
    participation = selectors.own_participation(assessment=assessment, user=user)
    return participation.finished_at if participation else None


def _neighbours(assessment, qpk):
    """The question among all of the assessment's, its place, and the questions either side."""
    questions = selectors.assessment_questions(assessment=assessment)
    index = next((i for i, q in enumerate(questions) if q.pk == qpk), None)
    if index is None:
        raise Http404("No such question")
    previous = questions[index - 1] if index > 0 else None
    following = questions[index + 1] if index + 1 < len(questions) else None
    return questions[index], questions, index, previous, following


def _answer_page(request, access, apk, qpk, *, agreed: bool):
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    levels = selectors.scale_levels(assessment=assessment)
    question, questions, index, previous, following = _neighbours(assessment, qpk)
    if agreed:
        current = selectors.agreed_answer(assessment=assessment, question=question)
        responses = selectors.respondents_answers(
            access=access, assessment=assessment, questions=[question]
        )[question.pk]
        suggestion = selectors.suggestions_from(
            questions=[question],
            answers={question.pk: responses},
            agreed={},
            scale_values=[lv.value for lv in levels],
        )[0]
        # Offered beside the options, not chosen: a chosen radio anchors the lead (GOV.UK).
        initial = AnswerForm.initial_for(current)
        if current is not None:
            initial["rationale"] = current.rationale
        form_class, label = AgreeForm, "Agreed answer"
        extra = {"hint": _suggestion_hint(suggestion, levels)}
    else:
        current = selectors.own_answer(assessment=assessment, question=question, user=request.user)
        responses, suggestion = [], None
        initial = AnswerForm.initial_for(current)
        form_class, label, extra = AnswerForm, "Your answer", {}
    # Only the page's form shows the question's own level descriptors.
    extra["question_levels"] = structure.question_levels(assessment.framework_version, question.pk)
    form = form_class(
        request.POST or None,
        initial=initial,
        question=question,
        levels=levels,
        label=label,
        **extra,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            if assessment.is_submitted:
                raise services.AssessmentLocked()
            _save(request, assessment, question, form, agreed=agreed)
        except services.AnswerConflict as exc:
            conflict = exc.current
            # Re-show what this person typed, now based on the newer version: saving again
            # keeps theirs; "use the saved answer" reloads the newer one.
            data = request.POST.copy()
            data["version"] = conflict.version
            form = form_class(data, question=question, levels=levels, label=label, **extra)
            form.is_valid()
        except services.AssessmentLocked:
            messages.error(request, "This assessment has been submitted, so answers cannot change.")
            return redirect(assessment)
        else:
            next_name = "agree_question" if agreed else "question"
            then = request.POST.get("then")
            if not agreed and (then == "check" or (following is None and then != "list")):
                # The last question, or a change made from their check page: back to it.
                messages.success(request, "Your answer was saved.")
                return redirect(_assessment_url(assessment, "your_answers"))
            if (
                agreed
                and request.POST.get("then") != "list"
                and _ends_dimension(question, following)
            ):
                messages.success(request, "Your answer was saved.")
                return redirect(_after_dimension(assessment, following))
            if request.POST.get("then") == "list" or following is None:
                target = (
                    _assessment_url(assessment, "agree_dimension", dpk=question.dimension_id)
                    if agreed
                    else assessment.get_absolute_url()
                )
                messages.success(request, "Your answer was saved.")
                return redirect(target)
            return redirect(_assessment_url(assessment, next_name, qpk=following.pk))
    carried = None
    if not agreed:
        carried = selectors.agreed_answer(assessment=assessment, question=question)
        if carried is not None and not carried.carried_over:
            carried = None
    level_labels = {lv.value: lv.label for lv in levels}
    response_files = selectors.answers_evidence(answers=responses) if agreed and responses else {}
    return render(
        request,
        "assessments/question.html",
        {
            "files": selectors.answer_evidence(answer=current),
            "can_erase": access.can(Permission.RUN_ASSESSMENTS),
            "access": access,
            "assessment": assessment,
            "question": question,
            "form": form,
            "agreed": agreed,
            "number": index + 1,
            "count": len(questions),
            "previous": previous,
            "following": following,
            "conflict": conflict,
            "conflict_label": _answer_label(conflict, level_labels) if conflict else "",
            "current": current,
            "carried": carried,
            "carried_label": _answer_label(carried, level_labels) if carried else "",
            "responses": [
                (a, _answer_label(a, level_labels), response_files.get(a.pk, [])) for a in responses
            ],
            "suggestion": suggestion,
            "from_check": not agreed and request.GET.get("from") == "check",
            "autosave_url": _assessment_url(
                assessment, "agree_autosave" if agreed else "autosave", qpk=question.pk
            ),
            "locked": assessment.is_submitted,
        },
    )


def _save(request, assessment, question, form, *, agreed: bool, keep=None):
    """The person's own answer, or (for a lead agreeing) the organisation's agreed one."""
    if agreed:
        return services.agreed_answer_save(
            assessment=assessment,
            question=question,
            lead=request.user,
            data=form.answer_data(keep=keep),
            base_version=form.cleaned_data["version"],
        )
    return services.answer_save(
        assessment=assessment,
        question=question,
        respondent=request.user,
        data=form.answer_data(keep=keep),
        base_version=form.cleaned_data["version"],
    )


def _answer_label(answer, level_labels) -> str:
    if answer is None or not answer.state:
        return "Not answered"
    if answer.state == answer.State.LEVEL:
        return f"{answer.level}. {level_labels.get(answer.level, '')}"
    return answer.get_state_display()


def _suggestion_hint(suggestion, levels) -> str:
    """The suggestion, said beside the agreed answer's options: "Suggested from 4 answers: level
    3 (Defined)…". Empty when nobody gave a level."""
    if suggestion.level is None:
        return ""
    count = len(suggestion.levels)
    label = next(lv.label for lv in levels if lv.value == suggestion.level)
    return (
        f"Suggested from {count} answer{'' if count == 1 else 's'}: level {suggestion.level} "
        f"({label}), the middle of the levels given, rounded down."
    )


def _ends_dimension(question, following) -> bool:
    return following is None or following.dimension_id != question.dimension_id


def _after_dimension(assessment, following) -> str:
    """Where a lead goes once a dimension is agreed: on to the next one, or after the last to
    check the answers."""
    if following is None:
        return _assessment_url(assessment, "check")
    return _assessment_url(assessment, "agree_dimension", dpk=following.dimension_id)


@organisation_view(Permission.ANSWER)
@require_http_methods(["GET", "POST"])
def question(request, access, apk, qpk):
    return _answer_page(request, access, apk, qpk, agreed=False)


@organisation_view(Permission.AGREE_ANSWERS)
@require_http_methods(["GET", "POST"])
def agree_question(request, access, apk, qpk):
    return _answer_page(request, access, apk, qpk, agreed=True)


def _autosave(request, access, apk, qpk, *, agreed: bool):
    assessment = selectors.organisation_assessment(access=access, pk=apk, light=True)
    question = selectors.assessment_question(assessment=assessment, pk=qpk)
    levels = selectors.scale_levels(assessment=assessment)
    form_class = AgreeForm if agreed else AnswerForm
    form = form_class(request.POST, question=question, levels=levels, label="", descriptors=False)
    errors = {}
    keep = None
    if not form.is_valid():
        errors = {k: list(v) for k, v in form.errors.items()}
        if "version" in errors:  # without the version it started from, nothing can be saved
            return JsonResponse({"status": "invalid", "errors": errors}, status=400)
        # Store the valid fields; an invalid one keeps its stored value (DESIGN).
        keep = (
            selectors.agreed_answer(assessment=assessment, question=question)
            if agreed
            else selectors.own_answer(assessment=assessment, question=question, user=request.user)
        )
    try:
        row = _save(request, assessment, question, form, agreed=agreed, keep=keep)
    except services.AnswerConflict as exc:
        current = exc.current
        labels = {lv.value: lv.label for lv in levels}
        return JsonResponse(
            {
                "status": "conflict",
                "version": current.version,
                "current": {
                    "answer": _answer_label(current, labels),
                    "target_level": current.target_level,
                    "evidence": current.evidence,
                    "links": current.links,
                    "confidence": current.get_confidence_display() if current.confidence else "",
                    "saved_at": time_format(timezone.localtime(current.updated_at), "H:i"),
                },
            },
            status=409,
        )
    except services.AssessmentLocked as exc:
        return JsonResponse({"status": "locked", "message": str(exc)}, status=423)
    return JsonResponse(
        {
            "status": "partly_saved" if errors else "saved",
            "version": row.version,
            "saved_at": time_format(timezone.localtime(row.updated_at), "H:i"),
            "errors": errors,
        }
    )


@organisation_view(Permission.ANSWER)
@require_POST
def autosave(request, access, apk, qpk):
    return _autosave(request, access, apk, qpk, agreed=False)


@organisation_view(Permission.AGREE_ANSWERS)
@require_POST
def agree_autosave(request, access, apk, qpk):
    return _autosave(request, access, apk, qpk, agreed=True)


@organisation_view(Permission.AGREE_ANSWERS)
def agree_dimension(request, access, apk, dpk):
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    dimension = selectors.assessment_dimension(assessment=assessment, pk=dpk)
    levels = selectors.scale_levels(assessment=assessment)
    labels = {lv.value: lv.label for lv in levels}
    questions = [
        q
        for q in selectors.assessment_questions(assessment=assessment)
        if q.dimension_id == dimension.pk
    ]
    responses = selectors.respondents_answers(
        access=access, assessment=assessment, questions=questions
    )
    agreed = {a.question_id: a for a in assessment.agreed_answers.filter(question__in=questions)}
    suggestions = selectors.suggestions_from(
        questions=questions, answers=responses, agreed=agreed, scale_values=list(labels)
    )
    rows = [
        {
            "question": s.question,
            "responses": [(a, _answer_label(a, labels)) for a in responses[s.question.pk]],
            "suggestion": s,
            "suggested_label": f"{s.level}. {labels[s.level]}" if s.level is not None else "—",
            "agreed": s.agreed,
            "agreed_label": _answer_label(s.agreed, labels),
        }
        for s in suggestions
    ]
    return render(
        request,
        "assessments/agree_dimension.html",
        {
            "access": access,
            "assessment": assessment,
            "dimension": dimension,
            "rows": rows,
            "labels": labels,
            "can_accept": not assessment.is_submitted and any(s.acceptable for s in suggestions),
        },
    )


@organisation_view(Permission.AGREE_ANSWERS)
@require_http_methods(["GET", "POST"])
def agree_accept(request, access, apk, dpk):
    """One confirmation page to accept the suggested answers for a whole dimension, saying what
    will be agreed and what is left for the lead, instead of a page load per question."""
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    dimension = selectors.assessment_dimension(assessment=assessment, pk=dpk)
    levels = selectors.scale_levels(assessment=assessment)
    scale = [lv.value for lv in levels]
    suggestions = selectors.dimension_suggestions(
        assessment=assessment, dimension=dimension, scale_values=scale
    )
    accept = [s for s in suggestions if s.acceptable]
    form = AcceptSuggestionsForm(request.POST or None, suggestions=accept)
    changed = False
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.agreed_answers_accept_suggested(
                assessment=assessment,
                dimension=dimension,
                lead=request.user,
                confirmed=form.cleaned_data["accepted"],
            )
        except services.SuggestionsChanged:
            changed = True
            suggestions = selectors.dimension_suggestions(
                assessment=assessment, dimension=dimension, scale_values=scale
            )
            accept = [s for s in suggestions if s.acceptable]
            form = AcceptSuggestionsForm(suggestions=accept)
        except services.AssessmentLocked:
            messages.error(request, "This assessment has been submitted, so answers cannot change.")
            return redirect(assessment)
        else:
            count = len(saved)
            messages.success(
                request, f"{count} suggested answer{'' if count == 1 else 's'} accepted."
            )
            done = {a.question_id for a in saved}
            if all(s.is_agreed or s.question.pk in done for s in suggestions):
                following = selectors.next_dimension(assessment=assessment, dimension=dimension)
                return redirect(
                    _assessment_url(assessment, "agree_dimension", dpk=following.pk)
                    if following
                    else _assessment_url(assessment, "check")
                )
            return redirect(_assessment_url(assessment, "agree_dimension", dpk=dimension.pk))
    labels = {lv.value: lv.label for lv in levels}
    return render(
        request,
        "assessments/agree_accept.html",
        {
            "access": access,
            "assessment": assessment,
            "dimension": dimension,
            "accept": [(s, f"{s.level}. {labels[s.level]}") for s in accept],
            "left": [(s, _left_because(s, labels)) for s in suggestions if not s.acceptable],
            "form": form,
            "changed": changed,
        },
    )


def _left_because(suggestion, labels) -> str:
    """Why "accept the suggested answers" leaves a question for the lead."""
    if suggestion.is_agreed:
        carried = " (carried over from the last round)" if suggestion.agreed.carried_over else ""
        return f"Already agreed: {_answer_label(suggestion.agreed, labels)}{carried}"
    if suggestion.disagreement:
        if suggestion.spread >= 2:
            return f"{suggestion.disagreement_text}: talk it through first"
        return f"Not applicable to some: {suggestion.disagreement_text}"
    if suggestion.answered:
        return "No one has given a level"
    return "Nobody has answered yet"


def _evidence_attach(request, access, apk, qpk, *, agreed: bool):
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    question = selectors.assessment_question(assessment=assessment, pk=qpk)
    back = _assessment_url(assessment, "agree_question" if agreed else "question", qpk=question.pk)
    current = (
        selectors.agreed_answer(assessment=assessment, question=question)
        if agreed
        else selectors.own_answer(assessment=assessment, question=question, user=request.user)
    )
    posted = request.method == "POST"
    form = EvidenceForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            stored = services.evidence_attach(
                assessment=assessment,
                question=question,
                user=request.user,
                upload=upload,
                agreed=agreed,
            )
        except services.AssessmentLocked:
            messages.error(request, "This assessment has been submitted, so answers cannot change.")
            return redirect(assessment)
        except services.EvidenceRefused as exc:
            form.add_error("file", f"The file “{upload.name[:100]}” {exc}")
        else:
            messages.success(request, f"{stored.name} is attached to the answer.")
            return redirect(back)
    return render(
        request,
        "assessments/evidence_attach.html",
        {
            "access": access,
            "assessment": assessment,
            "question": question,
            "agreed": agreed,
            "form": form,
            "files": selectors.answer_evidence(answer=current),
            "back": back,
            "max_size": settings.EVIDENCE_FILE_MAX_BYTES,
        },
    )


@organisation_view(Permission.ANSWER)
@require_http_methods(["GET", "POST"])
def evidence_attach(request, access, apk, qpk):
    return _evidence_attach(request, access, apk, qpk, agreed=False)


@organisation_view(Permission.AGREE_ANSWERS)
@require_http_methods(["GET", "POST"])
def agree_evidence_attach(request, access, apk, qpk):
    return _evidence_attach(request, access, apk, qpk, agreed=True)


def _confirmed_file_change(request, *, link, change, submit_label: str, done: str, template, page):
    """A confirmation page for one change to a file on an answer, and on POST the change (refused
    once the assessment is submitted). `page` is the template's context, with `back`."""
    form = ConfirmForm(request.POST or None, submit_label=submit_label)
    if request.method == "POST" and form.is_valid():
        try:
            change(link=link, user=request.user)
        except services.AssessmentLocked:
            messages.error(request, "This assessment has been submitted, so answers cannot change.")
            return redirect(page["assessment"])
        messages.success(request, done)
        return redirect(page["back"])
    return render(request, template, {**page, "file": link.file, "form": form})


def _evidence_remove(request, access, apk, qpk, fpk, *, agreed: bool):
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    question = selectors.assessment_question(assessment=assessment, pk=qpk)
    back = _assessment_url(assessment, "agree_question" if agreed else "question", qpk=question.pk)
    current = (
        selectors.agreed_answer(assessment=assessment, question=question)
        if agreed
        else selectors.own_answer(assessment=assessment, question=question, user=request.user)
    )
    link = selectors.answer_evidence_link(answer=current, pk=fpk)
    return _confirmed_file_change(
        request,
        link=link,
        change=services.evidence_remove,
        submit_label="Remove file",
        done=f"{link.file.name} is removed from the answer.",
        template="assessments/evidence_remove.html",
        page={
            "access": access,
            "assessment": assessment,
            "question": question,
            "back": back,
            "elsewhere": link.file.links.exclude(pk=link.pk).exists(),
        },
    )


@organisation_view(Permission.ANSWER)
@require_http_methods(["GET", "POST"])
def evidence_remove(request, access, apk, qpk, fpk):
    return _evidence_remove(request, access, apk, qpk, fpk, agreed=False)


@organisation_view(Permission.AGREE_ANSWERS)
@require_http_methods(["GET", "POST"])
def agree_evidence_remove(request, access, apk, qpk, fpk):
    return _evidence_remove(request, access, apk, qpk, fpk, agreed=True)


@organisation_view(Permission.AGREE_ANSWERS)
@require_http_methods(["GET", "POST"])
def agree_evidence_use(request, access, apk, qpk, fpk):
    """A lead puts a file from someone's answer on the agreed answer, so it goes into the report
    and on to the next round, without downloading and attaching it again."""
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    question = selectors.assessment_question(assessment=assessment, pk=qpk)
    back = _assessment_url(assessment, "agree_question", qpk=question.pk)
    link = selectors.response_evidence_link(assessment=assessment, question=question, pk=fpk)
    return _confirmed_file_change(
        request,
        link=link,
        change=services.evidence_use_for_agreed,
        submit_label="Use this file",
        done=f"{link.file.name} is now evidence for the agreed answer.",
        template="assessments/evidence_use.html",
        page={
            "access": access,
            "assessment": assessment,
            "question": question,
            "person": link.answer.respondent,
            "back": back,
        },
    )


@organisation_view(Permission.VIEW_ORGANISATION)
def evidence_file(request, access, apk, fpk):
    """The file itself, to those who may see the answer it is on: always a download (never
    shown in the page's origin) with a content type fixed by what the file was found to be."""
    assessment = selectors.organisation_assessment(access=access, pk=apk, light=True)
    stored = selectors.evidence_file_for_user(
        access=access, assessment=assessment, user=request.user, pk=fpk
    )
    # Only after the file is found: a file one may not see is 404 whatever the method.
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    response = FileResponse(
        default_storage.open(stored.key, "rb"),
        as_attachment=True,
        filename=stored.name,
        content_type=evidence.KINDS[stored.kind].content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@organisation_view(Permission.RUN_ASSESSMENTS)
@require_http_methods(["GET", "POST"])
def evidence_erase(request, access, apk, fpk):
    """Erase a file for good, from every round it is in, even submitted ones: evidence can hold
    personal data, which must be erasable. A warning page first."""
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    stored = selectors.evidence_file_for_user(
        access=access, assessment=assessment, user=request.user, pk=fpk
    )
    form = ConfirmForm(request.POST or None, submit_label="Erase file")
    if request.method == "POST" and form.is_valid():
        services.evidence_erase(stored=stored, user=request.user)
        messages.success(request, f"{stored.name} is erased.")
        return redirect(assessment)
    rounds = list(
        Assessment.objects.filter(evidence_links__file=stored)
        .distinct()
        .order_by("created_at")
        .values_list("round_label", flat=True)
    )
    return render(
        request,
        "assessments/evidence_erase.html",
        {
            "access": access,
            "assessment": assessment,
            "file": stored,
            "form": form,
            "rounds": rounds,
        },
    )


@organisation_view(Permission.ANSWER)
@require_http_methods(["GET", "POST"])
def your_answers(request, access, apk):
    """A person's check page for their own answers (nobody else's), where they tell the lead
    they have finished. They may finish with questions unanswered: they answer what they know."""
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    labels = {lv.value: lv.label for lv in selectors.scale_levels(assessment=assessment)}
    mine = selectors.own_answers(assessment=assessment, user=request.user)
    sections: dict[int, dict] = {}
    missing = []
    questions = selectors.assessment_questions(assessment=assessment)
    for q in questions:
        answer = mine.get(q.pk)
        section = sections.setdefault(q.dimension_id, {"dimension": q.dimension, "items": []})
        section["items"].append(
            {"question": q, "answer": answer, "label": _answer_label(answer, labels)}
        )
        if answer is None or not answer.state:
            missing.append(q)
    form = ConfirmForm(request.POST or None, submit_label="I've finished")
    if request.method == "POST" and form.is_valid():
        try:
            services.respondent_finish(assessment=assessment, respondent=request.user)
        except services.AssessmentLocked:
            messages.error(request, "This assessment has been submitted, so answers cannot change.")
        else:
            messages.success(
                request,
                "You have told the lead you have finished. If you change an answer, tell them "
                "again from your check page.",
            )
        return redirect(assessment)
    return render(
        request,
        "assessments/your_answers.html",
        {
            "access": access,
            "assessment": assessment,
            "sections": list(sections.values()),
            "missing": missing,
            "total": len(questions),
            "answered": len(questions) - len(missing),
            "participation": selectors.own_participation(assessment=assessment, user=request.user),
            "form": form,
        },
    )


@organisation_view(Permission.RUN_ASSESSMENTS)
@require_http_methods(["GET", "POST"])
def check(request, access, apk):
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    levels = selectors.scale_levels(assessment=assessment)
    labels = {lv.value: lv.label for lv in levels}
    questions = selectors.assessment_questions(assessment=assessment)
    agreed = {a.question_id: a for a in assessment.agreed_answers.all()}
    sections: dict[int, dict] = {}
    missing = []
    for q in questions:
        section = sections.setdefault(q.dimension_id, {"dimension": q.dimension, "items": []})
        answer = agreed.get(q.pk)
        section["items"].append(
            {"question": q, "answer": answer, "label": _answer_label(answer, labels)}
        )
        if answer is None or not answer.state:
            missing.append(q)
    form = ConfirmForm(request.POST or None, submit_label="Submit assessment")
    if request.method == "POST" and form.is_valid() and not assessment.is_submitted:
        try:
            services.assessment_submit(
                assessment=assessment,
                user=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except services.AssessmentIncomplete as exc:
            missing = exc.missing
        else:
            messages.success(request, "The assessment is submitted and its scores are ready.")
            return redirect(_assessment_url(assessment, "results"))
    return render(
        request,
        "assessments/check.html",
        {
            "access": access,
            "assessment": assessment,
            "sections": list(sections.values()),
            "missing": missing,
            "form": form,
            "submitted_error": request.method == "POST" and bool(missing),
            "not_started": _most_not_started(assessment),
            "progress": (
                []
                if assessment.is_submitted
                else selectors.assessment_progress_by_person(assessment=assessment)
            ),
        },
    )


def _most_not_started(assessment):
    """(not started, respondents) when most respondents have not answered a single question,
    so the lead is warned before submitting answers few people gave; otherwise None."""
    if assessment.is_submitted:
        return None
    not_started, total = selectors.respondents_not_started(assessment=assessment)
    return (not_started, total) if not_started * 2 > total else None


@organisation_view(Permission.VIEW_RESULTS)
def results(request, access, apk):
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    if not assessment.is_submitted:
        return render(
            request,
            "assessments/results_not_ready.html",
            {"access": access, "assessment": assessment},
        )
    levels = selectors.scale_levels(assessment=assessment)
    scores = selectors.stored_scores(assessment=assessment, levels=levels)
    fv = assessment.framework_version
    dimensions = structure.dimensions(fv)
    comparison, moved = selectors.stored_comparison(assessment=assessment)
    rows = [
        {
            "dimension": d,
            "score": scores.dimensions.get(str(d.pk)),
            "target": scores.targets.get(str(d.pk)),
            "gap": scores.gaps.get(str(d.pk)),
            "moved": moved.get(d.pk),
        }
        for d in dimensions
    ]
    facet_rows = sorted(
        (
            {"facet": facet, "value": value, "score": score}
            for (facet, value), score in scores.facets.items()
        ),
        key=lambda r: (r["facet"], r["value"]),
    )
    facets = list(fv.facets.prefetch_related("values"))
    value_names = {(f.slug, v.slug): v.name for f in facets for v in f.values.all()}
    for row in facet_rows:
        row["name"] = value_names.get((row["facet"], row["value"]), row["value"])
    return render(
        request,
        "assessments/results.html",
        {
            "access": access,
            "assessment": assessment,
            "scores": scores,
            "comparison": comparison,
            "rows": rows,
            "facet_rows": facet_rows,
            "scale_from": levels[0].value if levels else None,
            "scale_to": levels[-1].value if levels else None,
            "flags": selectors.assessment_flags(
                assessment=assessment,
                scores=scores,
                dimensions=dimensions,
                layer_axis=layers.axis_of(facets),
            ),
            "panels": panels.results_page.render(request, access=access, assessment=assessment),
        },
    )


@organisation_view(Permission.VIEW_RESULTS)
def explain(request, access, apk, dpk=None):
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    if not assessment.is_submitted:
        return redirect(_assessment_url(assessment, "results"))
    # The stored score is what was submitted and what every other page shows; the arithmetic
    # is worked out again from the agreed answers, and any difference is said, not hidden.
    stored = selectors.stored_scores(assessment=assessment)
    scores = services.assessment_compute_scores(assessment=assessment)
    fv = assessment.framework_version
    if dpk is None:
        score, title = scores.overall, "Overall score"
        submitted = stored.overall if stored else None
        names = {str(d.pk): d.name for d in fv.dimensions.all()}
    else:
        dimension = selectors.assessment_dimension(assessment=assessment, pk=dpk)
        score, title = scores.dimensions.get(str(dimension.pk)), dimension.name
        submitted = stored.dimensions.get(str(dimension.pk)) if stored else None
        names = {
            str(q.pk): q.text
            for q in selectors.assessment_questions(assessment=assessment)
            if q.dimension_id == dimension.pk
        }
    return render(
        request,
        "assessments/explain.html",
        {
            "access": access,
            "assessment": assessment,
            "score": score,
            "submitted": submitted,
            "recomputed_differs": (
                score is not None
                and submitted is not None
                and round(score.value, scoring.BAND_PRECISION)
                != round(submitted.value, scoring.BAND_PRECISION)
            ),
            "title": title,
            "names": names,
            "parts": [(names.get(p.key, p.name), p) for p in score.parts] if score else [],
            "excluded": [(names.get(e.key, e.key), e) for e in score.excluded] if score else [],
            "rule": fv.scoring,
            "overall": dpk is None,
        },
    )


@organisation_view(Permission.RUN_ASSESSMENTS)
@require_http_methods(["GET", "POST"])
def reopen(request, access, apk):
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.assessment_reopen(
            assessment=assessment,
            user=request.user,
            reason=form.cleaned_data["reason"],
            ask_again=form.cleaned_data["ask_again"],
            base_url=request.build_absolute_uri("/"),
        )
        messages.success(
            request, "The assessment is reopened. Submit it again to update the scores."
        )
        return redirect(assessment)
    return render(
        request,
        "assessments/reopen.html",
        {"access": access, "assessment": assessment, "form": form},
    )


@author_required
@require_safe
def question_preview(request, slug, version, qpk):
    """A framework editor's preview of a question page exactly as respondents will see it: the
    same template and answer form, read-only (GET only, nothing is saved). Drafts too."""
    fv = framework_selectors.framework_version_for_user(
        user=request.user, slug=slug, version=version
    )
    questions = framework_selectors.version_questions(framework_version=fv)
    index = next((i for i, q in enumerate(questions) if q.pk == qpk), None)
    if index is None:
        raise Http404("No such question")
    question = questions[index]
    prefetch_related_objects([question], "levels")
    form = AnswerForm(
        initial=AnswerForm.initial_for(None),
        question=question,
        levels=list(fv.levels.all()),
        label="Your answer",
    )
    return render(
        request,
        "assessments/question.html",
        {
            "preview": True,
            "fv": fv,
            "question": question,
            "form": form,
            "agreed": False,
            "number": index + 1,
            "count": len(questions),
            "previous": questions[index - 1] if index > 0 else None,
            "following": questions[index + 1] if index + 1 < len(questions) else None,
        },
    )
