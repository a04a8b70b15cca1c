"""Peers: the organisation dashboard, the national open data and the consultant comparison."""

import csv
import io
from dataclasses import asdict

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from benchmarks import charts, national
from benchmarks.dashboard import build_dashboard
from frameworks.selectors import published_versions
from maturity.downloads import attachment
from maturity.spreadsheets import safe_cell
from organisations.decorators import organisation_view
from organisations.permissions import Permission


@require_GET
def national_index(request):
    frameworks = {v.framework.slug: v.framework for v in published_versions()}
    return render(
        request,
        "benchmarks/national_index.html",
        {
            "frameworks": sorted(frameworks.values(), key=lambda f: f.name),
            "ogl": (national.OGL_NAME, national.OGL_URL),
        },
    )


@require_GET
def national_picture(request, framework, version=None):
    fv, choices = national.national_version(framework_slug=framework, version=version)
    picture = national.national_picture(framework_version=fv)
    return render(
        request,
        "benchmarks/national.html",
        {
            "picture": picture,
            "choices": choices,
            "newest": choices[0],
            "ogl": (national.OGL_NAME, national.OGL_URL),
            "rules": national.disclosure_rules(),
            "dictionary": national.data_dictionary(picture),
            "json_fields": national.JSON_FIELDS,
        },
    )


@require_GET
def national_download(request, framework, fmt, version=None):
    fv, _ = national.national_version(framework_slug=framework, version=version)
    picture = national.national_picture(framework_version=fv)
    rows = national.open_data_rows(picture)
    dictionary = national.data_dictionary(picture)
    # The version's own page, so the address stays right after a newer version is published.
    described_at = request.build_absolute_uri(
        reverse("benchmarks:national_version", args=[fv.framework.slug, fv.version])
    )
    described_at += "#data-dictionary"
    if fmt == "json":
        response = JsonResponse(
            {
                "framework": fv.framework.slug,
                "version": fv.version,
                "licence": {"name": national.OGL_NAME, "url": national.OGL_URL},
                "figures_as_of": national.release_day(picture["as_of"]),
                "data_dictionary": described_at,
                "rules": national.disclosure_rules(),
                "fields": [asdict(field) for field in dictionary],
                "rows": rows,
            }
        )
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=[field.name for field in dictionary])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_cell(v) for k, v in row.items()})
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    # A CSV has no room for a note that its readers would not take for a row.
    response["Link"] = f'<{described_at}>; rel="describedby", <{national.OGL_URL}>; rel="license"'
    return attachment(response, fv.framework.slug, fv.version, "national", extension=fmt)


@login_required
@require_GET
def consultant_compare(request, framework):
    comparison = national.consultant_comparison(user=request.user, framework_slug=framework)
    return render(request, "benchmarks/compare.html", {"comparison": comparison})


@organisation_view(Permission.VIEW_RESULTS)
def dashboard(request, access, framework):
    board = build_dashboard(
        access=access, framework_slug=framework, group_key=request.GET.get("group", "kind")
    )
    return render(
        request,
        "benchmarks/dashboard.html",
        {
            "access": access,
            "board": board,
            "radar": charts.radar(board),
            "distributions": charts.distributions(board),
            "trend_chart": charts.trend(board),
        },
    )
