"""A blank questionnaire of a framework version, printed for workshops.

Every question with one tick box per level of the scale, plus not applicable, don't know, a
target level and room for evidence and notes: the same answer the service records online.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template, render_to_string

from frameworks.models import Dimension, FrameworkVersion, Question, ScaleLevel
from maturity.pdf import html_to_pdf


def questionnaire_context(*, version: FrameworkVersion) -> dict:
    """Scale, dimensions and numbered questions with each level's descriptor, in 4 queries."""
    levels = list(ScaleLevel.objects.filter(framework_version=version))
    questions_by_dimension: dict[int, list[Question]] = {}
    for question in Question.objects.filter(dimension__framework_version=version).prefetch_related(
        "levels"
    ):
        questions_by_dimension.setdefault(question.dimension_id, []).append(question)

    sections = []
    for d_number, dimension in enumerate(
        Dimension.objects.filter(framework_version=version), start=1
    ):
        items = []
        for q_number, question in enumerate(questions_by_dimension.get(dimension.pk, []), start=1):
            descriptors = {ql.value: ql.descriptor for ql in question.levels.all()}
            items.append(
                {
                    "question": question,
                    "number": f"{d_number}.{q_number}",
                    "rungs": [
                        {"level": level, "descriptor": descriptors.get(level.value, "")}
                        for level in levels
                    ],
                }
            )
        sections.append({"dimension": dimension, "number": d_number, "items": items})

    return {
        "fv": version,
        "levels": levels,
        "scale_described": any(level.description for level in levels),
        "sections": sections,
        "question_count": sum(len(s["items"]) for s in sections),
        "draft": version.is_draft,
        "service_name": settings.SERVICE_NAME,
    }


# The templates that draw the questionnaire: the page, what it extends and what it includes.
LAYOUT = ("frameworks/questionnaire.html", "pdf/base.html", "pdf/prepared_by.html")


def layout_fingerprint() -> str:
    """Changes when any template that draws the questionnaire changes. The shared cache outlives
    the processes that filled it, so without this a deploy with a new layout would go on
    serving the old PDF for a day. (Templates are cached in memory once DEBUG is off.)"""
    sources = "\0".join(get_template(name).template.source for name in LAYOUT)
    return hashlib.sha256(sources.encode()).hexdigest()[:16]


def questionnaire_html(*, version: FrameworkVersion, branding=None) -> str:
    context = {**questionnaire_context(version=version), "branding": branding}
    return render_to_string("frameworks/questionnaire.html", context)


def render_questionnaire_pdf(*, version: FrameworkVersion, branding=None) -> bytes:
    """The questionnaire as a tagged PDF; `branding`: a consultant's name and logo for the cover.

    Anyone may download a published version's questionnaire, and a version never changes once
    published, so the unbranded PDF is made once and cached rather than rendered per request.
    """

    def render():
        return html_to_pdf(questionnaire_html(version=version, branding=branding))

    if branding is not None or version.is_draft:
        return render()
    key = f"questionnaire-pdf:{version.pk}:{version.status}:{layout_fingerprint()}"
    return cache.get_or_set(key, render, 24 * 3600)
