import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_safe

from frameworks import layers, selectors, services
from frameworks.fileformat import (
    LENS_IMBALANCE,
    SCHEMA,
    TECHNOLOGY_AHEAD_OF_DATA,
    FrameworkFileError,
    dump_framework,
    flags_from_json,
)
from frameworks.forms import (
    FrameworkCreateForm,
    FrameworkImportForm,
    NewDraftForm,
    not_higher_message,
)
from frameworks.models import FrameworkVersion
from frameworks.questionnaire import render_questionnaire_pdf
from frameworks.spreadsheet import CONTENT_TYPE as XLSX_CONTENT_TYPE
from frameworks.spreadsheet import framework_xlsx, parse_any
from maturity.accounts.branding import branding_for
from maturity.downloads import attachment
from maturity.forms import ConfirmForm


def author_required(view):
    """Framework editors only: anonymous visitors sign in first, everyone else gets 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not selectors.user_can_author(request.user):
            raise PermissionDenied("Only framework editors can do this.")
        return view(request, *args, **kwargs)

    return wrapped


def catalogue(request):
    return render(
        request,
        "frameworks/catalogue.html",
        {
            "entries": selectors.framework_catalogue(user=request.user),
            "can_author": selectors.user_can_author(request.user),
        },
    )


def framework_detail(request, slug):
    framework, versions = selectors.framework_for_user(user=request.user, slug=slug)
    return render(
        request,
        "frameworks/framework.html",
        {
            "framework": framework,
            "versions": versions,
            "can_author": selectors.user_can_author(request.user),
        },
    )


def version_detail(request, slug, version):
    fv = selectors.framework_version_for_user(user=request.user, slug=slug, version=version)
    fv = selectors.framework_version_content(framework_version=fv)
    levels = list(fv.levels.all())
    top = levels[-1].value if levels else None
    dimensions = []
    question_count = 0
    for dimension in fv.dimensions.all():
        questions = []
        for question in dimension.questions.all():
            by_value = {ql.value: ql for ql in question.levels.all()}
            ladder = [
                {
                    "level": level,
                    "descriptor": by_value[level.value].descriptor
                    if level.value in by_value
                    else "",
                    "recommendation": (
                        by_value[level.value].recommendation
                        if level.value in by_value and level.value != top
                        else ""
                    ),
                }
                for level in levels
            ]
            questions.append({"question": question, "ladder": ladder, "tags": question.tags.all()})
        question_count += len(questions)
        dimensions.append({"dimension": dimension, "questions": questions})
    total_weight = sum(d["dimension"].weight for d in dimensions) or 1
    for d in dimensions:
        d["share"] = d["dimension"].weight / total_weight
    can_author = selectors.user_can_author(request.user)
    return render(
        request,
        "frameworks/version.html",
        {
            "fv": fv,
            "levels": levels,
            "facets": fv.facets.all(),
            "warnings": _warnings(fv, dimensions),
            "dropped": selectors.dropped_questions(framework_version=fv),
            "dimensions": dimensions,
            "question_count": question_count,
            "can_author": can_author,
            "crosswalk": selectors.crosswalk_summary(framework_version=fv),
            "problems": (
                services.framework_version_problems(framework_version=fv)
                if can_author and fv.is_draft
                else []
            ),
        },
    )


def _warnings(fv, dimensions: list[dict]) -> list[str]:
    """What each flag the version declares looks for, in words, for its version page."""
    names = {d["dimension"].slug: d["dimension"].name for d in dimensions}
    texts = {q["question"].slug: q["question"].text for d in dimensions for q in d["questions"]}
    axis = layers.axis_of(fv.facets.all())
    found = []
    for flag in flags_from_json(fv.flags):
        if flag.code == LENS_IMBALANCE:
            lenses = [names[s] for s in flag.dimensions if s in names] or list(names.values())
            found.append(
                "One lens has captured what digital means: shown when one of "
                + ", ".join(lenses)
                + " is 2 or more levels ahead of another."
            )
        elif flag.code == TECHNOLOGY_AHEAD_OF_DATA and axis is not None:
            found.append(
                "New systems, automation or AI ahead of "
                + axis.foundations[1].lower()
                + ": shown when the answers to “"
                + "” and “".join(texts.get(s, s) for s in flag.questions)
                + f"” average a level or more above the {axis.foundations[1].lower()} score."
            )
    return found


def version_download(request, slug, version, fmt):
    fv = selectors.framework_version_for_user(user=request.user, slug=slug, version=version)
    spec = selectors.framework_version_spec(framework_version=fv)
    content = dump_framework(spec, fmt)
    content_type = "application/json" if fmt == "json" else "application/yaml"
    response = HttpResponse(content, content_type=f"{content_type}; charset=utf-8")
    return attachment(response, fv.framework.slug, fv.version, extension=fmt)


@require_safe
def format_schema(request):
    """The JSON Schema of the file format, for editors' own tools: public, cached for a day, and
    naming this address as its $id."""
    schema = {**SCHEMA, "$id": request.build_absolute_uri(request.path)}
    response = HttpResponse(
        json.dumps(schema, indent=2, ensure_ascii=False) + "\n",
        content_type="application/schema+json",
    )
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response


@require_safe
def version_download_xlsx(request, slug, version):
    """The version as a spreadsheet, for authors who work in one (frameworks/spreadsheet.py)."""
    fv = selectors.framework_version_for_user(user=request.user, slug=slug, version=version)
    spec = selectors.framework_version_spec(framework_version=fv)
    response = HttpResponse(framework_xlsx(spec), content_type=XLSX_CONTENT_TYPE)
    return attachment(response, fv.framework.slug, fv.version, extension="xlsx")


@require_safe
def version_questionnaire(request, slug, version):
    """A blank questionnaire to print for a workshop, with the consultant's branding if any."""
    fv = selectors.framework_version_for_user(user=request.user, slug=slug, version=version)
    pdf = render_questionnaire_pdf(version=fv, branding=branding_for(request.user))
    response = HttpResponse(pdf, content_type="application/pdf")
    return attachment(response, fv.framework.slug, fv.version, "questionnaire", extension="pdf")


@author_required
@require_http_methods(["GET", "POST"])
def framework_import(request):
    form = FrameworkImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        sheet = None  # a spreadsheet's problems are named by sheet, row and column
        try:
            spec, sheet = parse_any(
                data, filename=upload.name, max_bytes=settings.FRAMEWORK_FILE_MAX_BYTES
            )
            fv = services.framework_version_import(
                spec=spec, user=request.user, publish=form.cleaned_data["publish"]
            )
        except FrameworkFileError as exc:
            problems = sheet.messages(exc) if sheet else exc.messages
        except services.FrameworkVersionIncomplete as exc:
            problems = exc.problems
        else:
            state = "published" if fv.is_published else "imported as a draft"
            messages.success(request, f"{fv.name} version {fv.version} was {state}.")
            return redirect(fv)
    return render(
        request,
        "frameworks/import.html",
        {"form": form, "problems": problems},
    )


@author_required
@require_http_methods(["GET", "POST"])
def framework_create(request):
    form = FrameworkCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        draft = services.framework_create(user=request.user, **form.cleaned_data)
        messages.success(request, f"Draft {draft.name} {draft.version} created.")
        return redirect(draft)
    return render(request, "frameworks/create.html", {"form": form})


@author_required
@require_http_methods(["GET", "POST"])
def version_new_draft(request, slug, version):
    source = selectors.framework_version_for_user(user=request.user, slug=slug, version=version)
    form = NewDraftForm(request.POST or None, framework=source.framework)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.framework_version_create_draft(
                framework=source.framework,
                version=form.cleaned_data["version"],
                clone_from=source,
                user=request.user,
            )
        except services.FrameworkVersionNotHigher as exc:  # another editor got there first
            form.add_error("version", not_higher_message(exc))
        else:
            messages.success(
                request, f"Draft {draft.version} created from version {source.version}."
            )
            return redirect(draft)
    return render(request, "frameworks/new_draft.html", {"fv": source, "form": form})


@author_required
@require_http_methods(["GET", "POST"])
def version_publish(request, slug, version):
    fv = selectors.framework_version_for_user(user=request.user, slug=slug, version=version)
    if not fv.is_draft:
        messages.info(
            request, f"Version {fv.version} is already {fv.get_status_display().lower()}."
        )
        return redirect(fv)
    problems = services.framework_version_problems(framework_version=fv)
    form = ConfirmForm(request.POST or None, submit_label="Publish this version")
    if request.method == "POST" and form.is_valid() and not problems:
        try:
            services.framework_version_publish(framework_version=fv, user=request.user)
        except services.FrameworkVersionIncomplete as exc:
            problems = exc.problems
        else:
            messages.success(request, f"{fv.name} version {fv.version} is published.")
            return redirect(fv)
    return render(
        request,
        "frameworks/publish.html",
        {"fv": fv, "form": form, "problems": problems},
    )


@author_required
@require_http_methods(["GET", "POST"])
def version_retire(request, slug, version):
    fv = selectors.framework_version_for_user(user=request.user, slug=slug, version=version)
    if fv.status != FrameworkVersion.Status.PUBLISHED:
        messages.info(request, f"Only a published version can be retired; {fv.version} is not.")
        return redirect(fv)
    form = ConfirmForm(request.POST or None, submit_label="Retire this version")
    if request.method == "POST" and form.is_valid():
        services.framework_version_retire(framework_version=fv, user=request.user)
        messages.success(request, f"{fv.name} version {fv.version} is retired.")
        return redirect(fv)
    return render(request, "frameworks/retire.html", {"fv": fv, "form": form})
