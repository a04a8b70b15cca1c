"""What goes out: an assessment's PDF report and data, and a consultant's own tools (branding
for their exports, and bulk exports of their clients).

A consultant's branding and exports belong to the person signed in: another person's export is
a 404. An assessment's downloads go through the organisation's scoped access, as its pages do.
The board report is drawn by the task worker (reports.rendering); its URL waits for it.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from assessments import selectors
from maturity.accounts.branding import branding_for, branding_save
from maturity.downloads import attachment, file_name
from organisations.decorators import consultant_required, organisation_view
from organisations.permissions import Permission
from reports import bulk
from reports.exports import (
    OWN_SHEET,
    RESPONDENTS_SHEET,
    assessment_csv,
    assessment_xlsx,
    file_stem,
)
from reports.forms import BrandingForm, BulkExportForm
from reports.models import BulkExport, ReportRender
from reports.organisation_data import organisation_data_download
from reports.rendering import report_render_request, report_render_retry, report_renders_reap

RECENT_EXPORTS = 10
# How long an export may sit without starting, or without moving on, before the page says so.
QUIET = timedelta(minutes=2)


def _export_branding(request, access):
    """A consultant's exports carry their branding; the organisation's own people's do not."""
    return branding_for(request.user) if access.is_consultant else None


def render_waiting_message(copy: ReportRender) -> str:
    """Said when a render has not started after 2 minutes (the worker may be down)."""
    if copy.status == ReportRender.Status.QUEUED and timezone.now() - copy.created_at > QUIET:
        return (
            "It has not started yet. If it does not start in the next few minutes, the service's "
            "background worker may not be running: tell your administrator."
        )
    return ""


@organisation_view(Permission.EXPORT)
@require_http_methods(["GET", "HEAD", "POST"])
def report_pdf(request, access, apk):
    """The board report. Drawn by the task worker (reports.rendering), never here: until this
    reader's copy is ready, a page whose script checks again every 2 seconds (202; HEAD asks
    without downloading); if drawing it failed, a page that says why (200)."""
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    with_spread = access.can(Permission.VIEW_ALL_ANSWERS)
    branding = _export_branding(request, access)
    # The waiting page checks again for the render it is waiting for (`?render=`): answers
    # saved meanwhile would otherwise queue a new render at every check, and none would arrive.
    waited_for = request.GET.get("render", "")
    copy = (
        ReportRender.objects.filter(
            pk=waited_for,
            requested_by=request.user,
            assessment=assessment,
            with_spread=with_spread,
            branded=branding is not None,
        ).first()
        if re.fullmatch(r"[0-9]{1,9}", waited_for)
        else None
    ) or report_render_request(
        user=request.user, assessment=assessment, with_spread=with_spread, branding=branding
    )
    if copy.status == ReportRender.Status.RUNNING:
        # A stopped worker is noticed when the reader looks, not only by the other workers.
        report_renders_reap()
        copy.refresh_from_db()
    if request.method == "POST":
        # "Try again" after a failure.
        report_render_retry(render=copy)
        return redirect(request.path)
    if copy.status == ReportRender.Status.DONE:
        with copy.file.open("rb") as stored:
            response = HttpResponse(stored.read(), content_type="application/pdf")
        return attachment(response, file_stem(assessment), extension="pdf")
    return render(
        request,
        "reports/report_waiting.html",
        {
            "assessment": assessment,
            "copy": copy,
            "waiting": render_waiting_message(copy),
        },
        status=200 if copy.status == ReportRender.Status.FAILED else 202,
    )


@organisation_view(Permission.EXPORT)
@require_GET
def report_docx(request, access, apk):
    """The board report as a Word document, to edit before it goes to the board: the same
    reader, copy and branding as the PDF. Made here in the request (well under a second for
    the largest framework; tests/bench/reports.py), so nothing waits for the worker."""
    # Imported here: python-docx and cairosvg cost 0.35 s at start-up, paid by this view only.
    from reports.docx import DOCX_CONTENT_TYPE, render_docx

    assessment = selectors.organisation_assessment(access=access, pk=apk)
    response = HttpResponse(
        render_docx(
            assessment=assessment,
            branding=_export_branding(request, access),
            with_spread=access.can(Permission.VIEW_ALL_ANSWERS),
        ),
        content_type=DOCX_CONTENT_TYPE,
    )
    return attachment(response, file_stem(assessment), extension="docx")


@organisation_view(Permission.EXPORT)
def export(request, access, apk, fmt):
    assessment = selectors.organisation_assessment(access=access, pk=apk)
    if fmt == "xlsx":
        response = HttpResponse(
            assessment_xlsx(
                assessment=assessment,
                answers=selectors.visible_answers(
                    access=access, user=request.user, assessment=assessment
                ),
                answers_sheet=(
                    RESPONDENTS_SHEET if access.can(Permission.VIEW_ALL_ANSWERS) else OWN_SHEET
                ),
                prepared_by=getattr(_export_branding(request, access), "display_name", ""),
            ),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            assessment_csv(assessment=assessment), content_type="text/csv; charset=utf-8"
        )
    return attachment(response, file_stem(assessment), extension=fmt)


@organisation_view(Permission.EXPORT_ALL_DATA)
@require_GET
def organisation_data(request, access):
    content = organisation_data_download(access=access, user=request.user)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    return attachment(
        response,
        "organisation-data",
        access.organisation.code,
        f"{timezone.localdate():%Y-%m-%d}",
        extension="json",
    )


@consultant_required
@require_http_methods(["GET", "POST"])
def branding(request):
    current = branding_for(request.user)
    has_logo = bool(current and current.logo)
    if request.method == "POST":
        form = BrandingForm(request.POST, request.FILES, has_logo=has_logo)
        if form.is_valid():
            branding_save(
                consultant=request.user,
                display_name=form.cleaned_data["display_name"],
                logo=form.cleaned_data["logo"],
                remove_logo=form.cleaned_data.get("remove_logo", False),
            )
            messages.success(request, "Your branding is saved. Your next exports will carry it.")
            return redirect("reports:branding")
    else:
        form = BrandingForm(
            initial={"display_name": current.display_name if current else ""}, has_logo=has_logo
        )
    return render(request, "reports/branding.html", {"form": form, "branding": current})


@consultant_required
@require_GET
def branding_logo(request):
    current = branding_for(request.user)
    if not current or not current.logo:
        raise Http404("No logo")
    content_type = "image/png" if current.logo.name.endswith(".png") else "image/jpeg"
    response = FileResponse(current.logo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@consultant_required
@require_http_methods(["GET", "POST"])
def bulk_exports(request):
    bulk.bulk_exports_reap(consultant=request.user)
    clients, frameworks = bulk.client_choices(user=request.user)
    if request.method == "POST":
        form = BulkExportForm(request.POST, clients=clients, frameworks=frameworks)
        if form.is_valid():
            export = bulk.bulk_export_start(
                consultant=request.user,
                framework=form.cleaned_data["framework_obj"],
                organisations=form.cleaned_data["organisation_objs"],
                with_docx=form.cleaned_data["word"],
            )
            return redirect("reports:bulk_export", export.pk)
    else:
        form = BulkExportForm(clients=clients, frameworks=frameworks)
    recent = list(
        BulkExport.objects.filter(consultant=request.user)
        .select_related("framework")
        .order_by("-created_at", "-pk")[:RECENT_EXPORTS]
    )
    withdrawn = bulk.withdrawn_clients(exports=recent)
    for export in recent:
        export.withdrawn_clients = withdrawn.get(export.pk, [])
    return render(
        request,
        "reports/bulk_exports.html",
        {
            "form": form,
            "clients": clients,
            "frameworks": frameworks,
            "recent": recent,
            "branding": branding_for(request.user),
        },
    )


def _own_export(request, export_pk) -> BulkExport:
    return get_object_or_404(
        BulkExport.objects.select_related("framework"), pk=export_pk, consultant=request.user
    )


def stall_message(export: BulkExport) -> str:
    """Why the person may want to act: not started after 2 minutes, or no progress for 2 (it is
    failed as stopped, with its own reason, after BULK_EXPORT_STALE_MINUTES)."""
    now = timezone.now()
    if export.status == BulkExport.Status.QUEUED and now - export.created_at > QUIET:
        return (
            "It has not started yet. If it does not start in the next few minutes, the service's "
            "background worker may not be running: tell your administrator."
        )
    last_seen = export.heartbeat_at or export.started_at
    if export.status == BulkExport.Status.RUNNING and last_seen and now - last_seen > QUIET:
        return (
            "It has not moved on for a few minutes, so it may have stopped. If it has, this page "
            "will say so and you can start it again."
        )
    return ""


def _export_page(request, export: BulkExport, *, status: int = 200):
    withdrawn = bulk.withdrawn_clients(exports=[export]).get(export.pk, [])
    export.withdrawn_clients = withdrawn
    return render(
        request,
        "reports/bulk_export.html",
        {
            "export": export,
            "organisations": sorted(export.organisations.all(), key=lambda o: o.name),
            "stalled": stall_message(export),
            "withdrawn": withdrawn,
            "retention_days": settings.BULK_EXPORT_RETENTION_DAYS,
        },
        status=status,
    )


@login_required
@require_GET
def bulk_export(request, export_pk):
    # A stopped worker is noticed when the person looks, not only when prune_exports runs.
    bulk.bulk_exports_reap(consultant=request.user)
    return _export_page(request, _own_export(request, export_pk))


@login_required
@require_GET
def bulk_export_status(request, export_pk):
    """What the progress page polls (with JavaScript): the same facts as the page."""
    bulk.bulk_exports_reap(consultant=request.user)
    export = _own_export(request, export_pk)
    return JsonResponse(
        {
            "status": export.status,
            "status_label": export.get_status_display(),
            "done": export.done,
            "total": export.total,
            "current": export.current,
            "finished": export.is_finished,
            "stalled": stall_message(export),
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
@require_GET
def bulk_export_download(request, export_pk):
    export = _own_export(request, export_pk)
    if export.status != BulkExport.Status.DONE or not export.file:
        messages.error(request, "That export has no file to download.")
        return redirect(reverse("reports:bulk_export", args=[export.pk]))
    if bulk.withdrawn_clients(exports=[export]):
        # The zip holds reports of a client that has since withdrawn this consultant's access:
        # refused, with the export page saying which one.
        return _export_page(request, export, status=403)
    name = file_name(
        "client-reports",
        export.framework.slug,
        f"{export.created_at:%Y-%m-%d}",
        export.pk,
        extension="zip",
    )
    return FileResponse(
        export.file.open("rb"), as_attachment=True, filename=name, content_type="application/zip"
    )
