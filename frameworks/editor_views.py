"""The framework editor: a draft's details, scale, facets, dimensions and questions, edited on
GOV.UK pages that work without JavaScript. Framework editors only.

Only drafts change. Every route refuses a published or retired version with the same page
(409) before reading anything else, and the services refuse it again under the version's row
lock, so an edit racing a publish is refused too.
"""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from frameworks import selectors, services
from frameworks.editor_forms import (
    DetailsForm,
    DimensionForm,
    FacetForm,
    FacetValueForm,
    LevelAddForm,
    QuestionForm,
    ScaleForm,
    WarningsForm,
)
from frameworks.fileformat import LENS_IMBALANCE, TECHNOLOGY_AHEAD_OF_DATA, flags_from_json
from frameworks.models import Question
from frameworks.views import author_required
from maturity.forms import ConfirmForm

WARNING_NAMES = {
    LENS_IMBALANCE: "One dimension far ahead of another",
    TECHNOLOGY_AHEAD_OF_DATA: "New systems, automation or AI ahead of the foundations",
}


def editor_url(fv, name: str = "editor", anchor: str = "", **kwargs) -> str:
    url = reverse(
        f"frameworks:{name}", kwargs={"slug": fv.framework.slug, "version": fv.version, **kwargs}
    )
    return f"{url}#{anchor}" if anchor else url


def _frozen(request, fv):
    return render(request, "frameworks/editor/frozen.html", {"fv": fv}, status=409)


def draft_view(view):
    """Framework editors only (anonymous visitors sign in first, others get 403), on a version
    they can see (404), which must be a draft: otherwise the refusal page and no change."""

    @author_required
    @wraps(view)
    def wrapped(request, slug, version, **kwargs):
        fv = selectors.framework_version_for_user(user=request.user, slug=slug, version=version)
        if not fv.is_draft:
            return _frozen(request, fv)
        try:
            return view(request, fv, **kwargs)
        except services.FrameworkVersionFrozen:  # published while this request was on its way
            fv.refresh_from_db()
            return _frozen(request, fv)

    return wrapped


def _form_page(request, fv, form, save, *, title, done, next_url, caption="", intro=""):
    """Show `form`; on a valid POST call save(cleaned_data), then go to the address it returns
    (or `next_url`) saying `done`. A rule the service enforces comes back as an error on the
    field it names."""
    if request.method == "POST" and form.is_valid():
        try:
            target = save(form.cleaned_data)
        except services.EditRefused as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, done)
            return redirect(target if isinstance(target, str) else next_url)
    return render(
        request,
        "frameworks/editor/form.html",
        {
            "fv": fv,
            "form": form,
            "title": title,
            "caption": caption or f"{fv.name} {fv.version}",
            "intro": intro,
            "back_url": next_url,
        },
    )


def _remove_page(request, fv, remove, *, title, consequences, done, next_url, button):
    """Ask first (GET), remove on a confirmed POST."""
    form = ConfirmForm(request.POST or None, submit_label=button)
    if request.method == "POST" and form.is_valid():
        try:
            remove()
        except services.EditRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return redirect(next_url)
    return render(
        request,
        "frameworks/editor/remove.html",
        {
            "fv": fv,
            "form": form,
            "title": title,
            "consequences": consequences,
            "back_url": next_url,
        },
    )


def _moved(request, moved: bool, what: str, direction: str) -> None:
    if moved:
        messages.success(request, f"{what} moved {direction}.")
    else:
        end = "first" if direction == "up" else "last"
        messages.info(request, f"{what} is already {end}.")


@draft_view
@require_safe
def editor(request, fv):
    dimensions = selectors.version_outline(framework_version=fv)
    return render(
        request,
        "frameworks/editor/editor.html",
        {
            "fv": fv,
            # Each question's links are built on this (tested against reverse()): reversing a
            # thousand addresses is a tenth of the page's time at 200 questions.
            "edit": editor_url(fv),
            "dimensions": dimensions,
            "levels": list(fv.levels.all()),
            "facets": selectors.version_facets(framework_version=fv),
            "question_count": sum(len(d.questions.all()) for d in dimensions),
            "warnings": [WARNING_NAMES[f.code] for f in flags_from_json(fv.flags)],
            "problems": services.framework_version_problems(framework_version=fv),
        },
    )


@draft_view
@require_http_methods(["GET", "POST"])
def details(request, fv):
    form = DetailsForm(
        request.POST or None,
        initial={
            "name": fv.name,
            "description": fv.description,
            "licence": fv.licence,
            "publisher": fv.publisher,
            "publication_date": fv.publication_date,
            "scoring": fv.scoring,
            "notes": "\n\n".join((fv.source or {}).get("notes", [])),
        },
    )
    return _form_page(
        request,
        fv,
        form,
        lambda data: services.framework_version_details_update(
            framework_version=fv, user=request.user, **data
        ),
        title="Change the framework's details",
        done="The framework's details were saved.",
        next_url=editor_url(fv),
    )


@draft_view
@require_http_methods(["GET", "POST"])
def warnings(request, fv):
    declared = {f.code: f for f in flags_from_json(fv.flags)}
    axis = selectors.framework_version_layer_axis(framework_version=fv)
    questions = Question.objects.filter(dimension__framework_version=fv).order_by(
        "dimension__position", "dimension_id", "position", "id"
    )
    if axis is not None:
        questions = questions.exclude(tags__facet__slug=axis.facet, tags__slug=axis.foundations[0])
    lens = declared.get(LENS_IMBALANCE)
    adoption = declared.get(TECHNOLOGY_AHEAD_OF_DATA)
    form = WarningsForm(
        request.POST or None,
        dimensions=list(fv.dimensions.order_by("position", "id")),
        questions=list(questions),
        axis=axis,
        initial={
            "lens_imbalance": lens is not None,
            "lens_dimensions": list(lens.dimensions) if lens else [],
            "technology_ahead": adoption is not None,
            "adoption_questions": list(adoption.questions) if adoption else [],
        },
    )
    return _form_page(
        request,
        fv,
        form,
        lambda data: services.framework_version_flags_update(
            framework_version=fv, flags=form.flags(), user=request.user
        ),
        title="Warnings shown with results",
        done="The warnings were saved.",
        next_url=editor_url(fv, anchor="details"),
        intro="Results, dashboards and the board report show only the warnings a framework "
        "chooses here.",
    )


@draft_view
@require_http_methods(["GET", "POST"])
def scale(request, fv):
    levels = list(fv.levels.all())
    form = ScaleForm(request.POST or None, levels=levels)
    if request.method == "POST" and form.is_valid():
        services.scale_levels_update(framework_version=fv, texts=form.texts(), user=request.user)
        messages.success(request, "The scale was saved.")
        return redirect(editor_url(fv, anchor="scale"))
    return render(
        request, "frameworks/editor/scale.html", {"fv": fv, "form": form, "levels": levels}
    )


@draft_view
@require_http_methods(["GET", "POST"])
def level_add(request, fv):
    top = fv.levels.order_by("-value").first()
    form = LevelAddForm(request.POST or None, initial={"value": top.value + 1 if top else 1})
    return _form_page(
        request,
        fv,
        form,
        lambda data: services.scale_level_add(framework_version=fv, user=request.user, **data),
        title="Add a level to the scale",
        intro="Every question then needs a descriptor for the new level before the version "
        "can be published.",
        done="The level was added. Give each question a descriptor for it.",
        next_url=editor_url(fv, "editor_scale"),
    )


@draft_view
@require_http_methods(["GET", "POST"])
def level_remove(request, fv, lpk):
    level = selectors.version_scale_level(framework_version=fv, pk=lpk)
    is_top = not fv.levels.filter(value__gt=level.value).exists()
    consequences = [
        f"Every question's descriptor and recommendation for level {level.value} is deleted."
    ]
    if is_top:
        consequences.append(
            "The level below becomes the top of the scale, so its recommendations are deleted "
            "too (the top level has none)."
        )
    return _remove_page(
        request,
        fv,
        lambda: services.scale_level_remove(level=level, user=request.user),
        title=f"Remove level {level.value} ({level.label}) from the scale?",
        consequences=consequences,
        done=f"Level {level.value} ({level.label}) was removed.",
        next_url=editor_url(fv, "editor_scale"),
        button="Remove level",
    )


@draft_view
@require_safe
def facets(request, fv):
    return render(
        request,
        "frameworks/editor/facets.html",
        {"fv": fv, "facets": selectors.version_facets(framework_version=fv)},
    )


@draft_view
@require_http_methods(["GET", "POST"])
def facet_add(request, fv):
    return _form_page(
        request,
        fv,
        FacetForm(request.POST or None),
        lambda data: services.facet_add(framework_version=fv, user=request.user, **data),
        title="Add a facet",
        intro="A facet tags questions on a second axis, such as layer: data, systems, "
        "technology. Add its values next.",
        done="The facet was added. Add its values.",
        next_url=editor_url(fv, "editor_facets"),
    )


@draft_view
@require_http_methods(["GET", "POST"])
def facet_edit(request, fv, fpk):
    facet = selectors.version_facet(framework_version=fv, pk=fpk)
    form = FacetForm(
        request.POST or None,
        initial={
            "name": facet.name,
            "slug": facet.slug,
            "description": facet.description,
            "layer_axis": facet.layer_axis,
        },
    )
    return _form_page(
        request,
        fv,
        form,
        lambda data: services.facet_update(facet=facet, user=request.user, **data),
        title=f"Change the facet {facet.name}",
        done=f"The facet {facet.name} was saved.",
        next_url=editor_url(fv, "editor_facets"),
    )


@draft_view
@require_http_methods(["GET", "POST"])
def facet_remove(request, fv, fpk):
    facet = selectors.version_facet(framework_version=fv, pk=fpk)
    return _remove_page(
        request,
        fv,
        lambda: services.facet_remove(facet=facet, user=request.user),
        title=f"Remove the facet {facet.name}?",
        consequences=[f"Its values, and every question's {facet.name.lower()} tag, are deleted."],
        done=f"The facet {facet.name} was removed.",
        next_url=editor_url(fv, "editor_facets"),
        button="Remove facet",
    )


@draft_view
@require_http_methods(["GET", "POST"])
def value_add(request, fv, fpk):
    facet = selectors.version_facet(framework_version=fv, pk=fpk)
    return _form_page(
        request,
        fv,
        FacetValueForm(request.POST or None),
        lambda data: services.facet_value_add(facet=facet, user=request.user, **data),
        title=f"Add a value to {facet.name}",
        done=f"The value was added to {facet.name}.",
        next_url=editor_url(fv, "editor_facets"),
    )


@draft_view
@require_http_methods(["GET", "POST"])
def value_edit(request, fv, fpk, vpk):
    facet = selectors.version_facet(framework_version=fv, pk=fpk)
    value = selectors.version_facet_value(facet=facet, pk=vpk)
    form = FacetValueForm(
        request.POST or None,
        initial={"name": value.name, "slug": value.slug, "weight": value.weight},
    )
    return _form_page(
        request,
        fv,
        form,
        lambda data: services.facet_value_update(value=value, user=request.user, **data),
        title=f"Change the value {value.name} of {facet.name}",
        done=f"The value {value.name} was saved.",
        next_url=editor_url(fv, "editor_facets"),
    )


@draft_view
@require_http_methods(["GET", "POST"])
def value_remove(request, fv, fpk, vpk):
    facet = selectors.version_facet(framework_version=fv, pk=fpk)
    value = selectors.version_facet_value(facet=facet, pk=vpk)
    return _remove_page(
        request,
        fv,
        lambda: services.facet_value_remove(value=value, user=request.user),
        title=f"Remove the value {value.name} of {facet.name}?",
        consequences=[f"Questions tagged {value.name} lose that tag."],
        done=f"The value {value.name} was removed.",
        next_url=editor_url(fv, "editor_facets"),
        button="Remove value",
    )


@draft_view
@require_http_methods(["GET", "POST"])
def dimension_add(request, fv):
    def save(data):
        dimension = services.dimension_add(framework_version=fv, user=request.user, **data)
        return editor_url(fv, anchor=f"dimension-{dimension.pk}")

    return _form_page(
        request,
        fv,
        DimensionForm(request.POST or None),
        save,
        title="Add a dimension",
        intro="It is added at the end; move it up from the editor's page.",
        done="The dimension was added. Add its questions.",
        next_url=editor_url(fv, anchor="dimensions"),
    )


@draft_view
@require_http_methods(["GET", "POST"])
def dimension_edit(request, fv, dpk):
    dimension = selectors.version_dimension(framework_version=fv, pk=dpk)
    form = DimensionForm(
        request.POST or None,
        initial={
            "name": dimension.name,
            "slug": dimension.slug,
            "description": dimension.description,
            "weight": dimension.weight,
        },
    )
    return _form_page(
        request,
        fv,
        form,
        lambda data: services.dimension_update(dimension=dimension, user=request.user, **data),
        title=f"Change the dimension {dimension.name}",
        done=f"The dimension {dimension.name} was saved.",
        next_url=editor_url(fv, anchor=f"dimension-{dimension.pk}"),
    )


@draft_view
@require_POST
def dimension_move(request, fv, dpk):
    dimension = selectors.version_dimension(framework_version=fv, pk=dpk)
    direction = request.POST.get("direction", "")
    try:
        moved = services.dimension_move(dimension=dimension, direction=direction, user=request.user)
    except services.EditRefused as exc:
        messages.error(request, exc.message)
    else:
        _moved(request, moved, f"The dimension {dimension.name}", direction)
    return redirect(editor_url(fv, anchor=f"dimension-{dimension.pk}"))


@draft_view
@require_http_methods(["GET", "POST"])
def dimension_remove(request, fv, dpk):
    dimension = selectors.version_dimension(framework_version=fv, pk=dpk)
    count = dimension.questions.count()
    return _remove_page(
        request,
        fv,
        lambda: services.dimension_remove(dimension=dimension, user=request.user),
        title=f"Remove the dimension {dimension.name}?",
        consequences=[
            f"Its {count} question{'s' if count != 1 else ''}, with their descriptors and "
            "recommendations, are deleted too."
        ],
        done=f"The dimension {dimension.name} was removed.",
        next_url=editor_url(fv, anchor="dimensions"),
        button="Remove dimension",
    )


def _question_form(request, fv, **kwargs) -> QuestionForm:
    return QuestionForm(
        request.POST or None,
        dimensions=list(fv.dimensions.order_by("position", "id")),
        levels=list(fv.levels.all()),
        facets=list(fv.facets.prefetch_related("values")),
        **kwargs,
    )


@draft_view
@require_http_methods(["GET", "POST"])
def question_add(request, fv, dpk):
    dimension = selectors.version_dimension(framework_version=fv, pk=dpk)
    form = _question_form(request, fv, initial={"dimension": dimension.pk})

    def save(data):
        question = services.question_add(content=form.content(), user=request.user)
        return editor_url(fv, anchor=f"question-{question.pk}")

    return _form_page(
        request,
        fv,
        form,
        save,
        title=f"Add a question to {dimension.name}",
        intro="It is added at the end of the dimension; move it from the editor's page.",
        done="The question was added.",
        next_url=editor_url(fv, anchor=f"dimension-{dimension.pk}"),
    )


@draft_view
@require_http_methods(["GET", "POST"])
def question_edit(request, fv, qpk):
    question = selectors.version_question(framework_version=fv, pk=qpk)
    form = _question_form(request, fv, initial=QuestionForm.initial_for(question))
    return _form_page(
        request,
        fv,
        form,
        lambda data: services.question_update(
            question=question, content=form.content(), user=request.user
        ),
        title="Change a question",
        caption=f"{fv.name} {fv.version} · {question.dimension.name}",
        done="The question was saved.",
        next_url=editor_url(fv, anchor=f"question-{question.pk}"),
    )


@draft_view
@require_POST
def question_move(request, fv, qpk):
    question = selectors.version_question(framework_version=fv, pk=qpk)
    direction = request.POST.get("direction", "")
    try:
        moved = services.question_move(question=question, direction=direction, user=request.user)
    except services.EditRefused as exc:
        messages.error(request, exc.message)
    else:
        _moved(request, moved, "The question", direction)
    return redirect(editor_url(fv, anchor=f"question-{question.pk}"))


@draft_view
@require_http_methods(["GET", "POST"])
def question_remove(request, fv, qpk):
    question = selectors.version_question(framework_version=fv, pk=qpk)
    return _remove_page(
        request,
        fv,
        lambda: services.question_remove(question=question, user=request.user),
        title=f"Remove the question “{question.text}”?",
        consequences=["Its descriptors, recommendations and tags are deleted too."],
        done="The question was removed.",
        next_url=editor_url(fv, anchor=f"dimension-{question.dimension_id}"),
        button="Remove question",
    )
