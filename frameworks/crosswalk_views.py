"""Comparing versions: what changed between two (anyone who may see both), and the crosswalk
of a draft made from another version (framework editors)."""

import csv
import io

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from frameworks import selectors, services
from frameworks.crosswalk import RELATION_NAMES, TO_REVIEW
from frameworks.fileformat import version_key
from frameworks.forms import (
    ConfirmProposalsForm,
    DroppedReasonForm,
    QuestionLinkForm,
    VersionCompareForm,
)
from frameworks.models import FrameworkVersion
from frameworks.views import author_required
from maturity.downloads import attachment
from maturity.spreadsheets import safe_cell

CSV_HEADER = ["kind", "dimension", "question", "field", "before", "after"]


def _default_other(fv: FrameworkVersion, others: list[FrameworkVersion]):
    """The version this one was drafted from, else the one before it, else the one after."""
    for v in others:
        if v.pk == fv.cloned_from_id:
            return v
    own = version_key(fv.version)
    earlier = [v for v in others if version_key(v.version) < own]  # newest first already
    return (earlier or others or [None])[0]


def _comparison(request, slug, version):
    """The version, the form choosing the other one, and the two in order (or None)."""
    fv = selectors.framework_version_for_user(user=request.user, slug=slug, version=version)
    _, versions = selectors.framework_for_user(user=request.user, slug=slug)
    others = [v for v in versions if v.pk != fv.pk]
    form = VersionCompareForm(request.GET or None, versions=others)
    other = None
    if form.is_bound:
        if form.is_valid():
            other = next(v for v in others if v.version == form.cleaned_data["other"])
    else:
        other = _default_other(fv, others)
        if other is not None:
            form = VersionCompareForm(versions=others, initial={"other": other.version})
    pair = None
    if other is not None:
        pair = sorted((fv, other), key=lambda v: version_key(v.version))
    return fv, others, form, pair


@require_safe
def version_diff(request, slug, version):
    fv, others, form, pair = _comparison(request, slug, version)
    diff = selectors.framework_versions_diff(earlier=pair[0], later=pair[1]) if pair else None
    question_changes = diff.of("question") if diff else []
    return render(
        request,
        "frameworks/diff.html",
        {
            "fv": fv,
            "others": others,
            "form": form,
            "pair": pair,
            "diff": diff,
            "general_changes": diff.of("framework", "scale level", "facet", "facet value")
            if diff
            else [],
            "dimension_changes": diff.of("dimension") if diff else [],
            "question_changes": question_changes,
        },
    )


@require_safe
def version_diff_csv(request, slug, version):
    """The changes as CSV, one row a change, every cell safe to open in a spreadsheet."""
    fv, _, _, pair = _comparison(request, slug, version)
    if pair is None:
        raise Http404("No other version to compare with")
    diff = selectors.framework_versions_diff(earlier=pair[0], later=pair[1])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for c in diff.changes:
        writer.writerow(
            [safe_cell(v) for v in (c.label, c.dimension, c.question, c.field, c.before, c.after)]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return attachment(
        response, fv.framework.slug, pair[0].version, "to", pair[1].version, extension="csv"
    )


def _crosswalk_or_redirect(request, fv):
    crosswalk = selectors.crosswalk_of(framework_version=fv)
    if crosswalk is None:
        messages.info(
            request,
            f"Version {fv.version} was not drafted from another version, so it has no crosswalk.",
        )
    return crosswalk


def _crosswalk_url(fv: FrameworkVersion) -> str:
    return reverse(
        "frameworks:crosswalk", kwargs={"slug": fv.framework.slug, "version": fv.version}
    )


@author_required
@require_safe
def crosswalk(request, slug, version):
    fv = selectors.framework_version_for_user(user=request.user, slug=slug, version=version)
    crosswalk = _crosswalk_or_redirect(request, fv)
    if crosswalk is None:
        return redirect(fv)
    return render(
        request,
        "frameworks/crosswalk.html",
        {
            "fv": fv,
            "crosswalk": crosswalk,
            "counts": [
                (RELATION_NAMES[relation], n)
                for relation, n in crosswalk.counts.items()
                if relation != TO_REVIEW or n
            ],
            "proposed": [row for row in crosswalk.rows if row.proposal],
            "confirm_form": ConfirmProposalsForm(
                initial={"seen": crosswalk.fingerprint},
                action=reverse(
                    "frameworks:crosswalk_confirm", kwargs={"slug": slug, "version": version}
                ),
            ),
        },
    )


@author_required
@require_http_methods(["GET", "POST"])
def crosswalk_confirm(request, slug, version):
    """Confirm every proposal shown on the crosswalk page (POST); GET goes back to the page."""
    fv = selectors.framework_version_for_user(user=request.user, slug=slug, version=version)
    if request.method == "GET":
        return redirect(_crosswalk_url(fv))
    form = ConfirmProposalsForm(request.POST, action="")
    form.is_valid()  # one hidden field, never refused: an unknown fingerprint confirms nothing
    try:
        confirmed = services.crosswalk_proposals_confirm(
            framework_version=fv, seen=form.cleaned_data["seen"], user=request.user
        )
    except services.FrameworkVersionFrozen:
        messages.error(
            request,
            f"Version {fv.version} is {fv.get_status_display().lower()}: its crosswalk cannot "
            "change. Start a new draft to make changes.",
        )
    except services.CrosswalkRefused as exc:
        messages.error(request, exc.message)
        return redirect(fv)
    except services.CrosswalkChanged:
        messages.error(
            request,
            "The draft changed after you opened this page, so nothing was confirmed. Check the "
            "proposals below again, then confirm them.",
        )
    else:
        messages.success(request, f"{confirmed} proposal{'s' if confirmed != 1 else ''} confirmed.")
    return redirect(_crosswalk_url(fv))


def _saved(request, fv, form, save, *, field: str, done: str, anchor: str):
    """Save a crosswalk form: back to the crosswalk saying `done`, or to it saying nothing
    changed when the version was published meanwhile; None when the service refused the
    change, which is then an error on `field`."""
    try:
        save()
    except services.FrameworkVersionFrozen:
        messages.error(request, f"Version {fv.version} is no longer a draft: nothing changed.")
        return redirect(_crosswalk_url(fv))
    except (services.CrosswalkRefused, services.EditRefused) as exc:
        form.add_error(field, exc.message)
        return None
    messages.success(request, done)
    return redirect(f"{_crosswalk_url(fv)}#{anchor}")


def _initial(row) -> dict:
    """The form as proposed, when there is a proposal; else as confirmed."""
    if row.proposal:
        ancestor = row.proposal.ancestor
        return {"relation": row.proposal.relation, "ancestors": [str(ancestor)] if ancestor else []}
    if row.relation == TO_REVIEW:
        return {}
    return {"relation": row.relation, "ancestors": [str(link.ancestor_id) for link in row.links]}


@author_required
@require_http_methods(["GET", "POST"])
def crosswalk_question(request, slug, version, pk):
    """Confirm or correct one question's links to the version the draft was made from."""
    fv = selectors.framework_version_for_user(user=request.user, slug=slug, version=version)
    question = selectors.crosswalk_question(framework_version=fv, pk=pk)
    crosswalk = _crosswalk_or_redirect(request, fv)
    if crosswalk is None:
        return redirect(fv)
    if not fv.is_draft:
        messages.info(
            request,
            f"Version {fv.version} is {fv.get_status_display().lower()}: its crosswalk cannot "
            "change.",
        )
        return redirect(_crosswalk_url(fv))
    row = next(r for r in crosswalk.rows if r.question.pk == question.pk)
    form = QuestionLinkForm(
        request.POST or None,
        initial=_initial(row),
        earlier=crosswalk.earlier,
        source_version=crosswalk.source.version,
    )
    if request.method == "POST" and form.is_valid():
        chosen = {int(pk) for pk in form.cleaned_data["ancestors"]}
        saved = _saved(
            request,
            fv,
            form,
            lambda: services.question_links_set(
                question=question,
                relation=form.cleaned_data["relation"],
                ancestors=[q for q in crosswalk.earlier if q.pk in chosen],
                user=request.user,
            ),
            field="ancestors",
            done=f"Links of “{question.slug}” saved.",
            anchor=f"question-{question.pk}",
        )
        if saved:
            return saved
    return render(
        request,
        "frameworks/crosswalk_question.html",
        {"fv": fv, "crosswalk": crosswalk, "row": row, "form": form},
    )


@author_required
@require_http_methods(["GET", "POST"])
def crosswalk_dropped(request, slug, version, pk):
    """Say why a question of the version the draft was made from is no longer asked."""
    fv = selectors.framework_version_for_user(user=request.user, slug=slug, version=version)
    crosswalk = _crosswalk_or_redirect(request, fv)
    if crosswalk is None:
        return redirect(fv)
    found = next(((q, why) for q, why in crosswalk.no_longer_asked if q.pk == pk), None)
    if found is None:
        raise Http404("No such question, or it is still asked")
    question, reason = found
    if not fv.is_draft:
        messages.info(
            request,
            f"Version {fv.version} is {fv.get_status_display().lower()}: its crosswalk cannot "
            "change.",
        )
        return redirect(_crosswalk_url(fv))
    form = DroppedReasonForm(request.POST or None, initial={"reason": reason})
    if request.method == "POST" and form.is_valid():
        saved = _saved(
            request,
            fv,
            form,
            lambda: services.framework_version_dropped_set(
                framework_version=fv,
                question=question,
                reason=form.cleaned_data["reason"],
                user=request.user,
            ),
            field="reason",
            done=f"Saved why “{question.slug}” is no longer asked.",
            anchor="no-longer-asked",
        )
        if saved:
            return saved
    return render(
        request,
        "frameworks/crosswalk_dropped.html",
        {"fv": fv, "crosswalk": crosswalk, "question": question, "form": form},
    )
