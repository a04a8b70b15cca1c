"""Peers: the organisation dashboard, the national open data and the consultant comparison."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from benchmarks import charts, disclosure, national
from benchmarks.dashboard import build_dashboard
from frameworks.selectors import published_versions
from maturity.downloads import attachment
from maturity.spreadsheets import safe_cell
from organisations.decorators import organisation_view
from organisations.permissions import Permission

FIELDS = [
    "measure",
    "grouping",
    "group",
    "organisations",
    "median",
    "lower_quartile",
    "upper_quartile",
    "note",
    "figures_as_of",
]


@require_GET
def national_index(request):
    frameworks = {v.framework.slug: v.framework for v in published_versions()}
    return render(
        request,
        "benchmarks/national_index.html",
        {"frameworks": sorted(frameworks.values(), key=lambda f: f.name)},
    )


@require_GET
def national_picture(request, framework, version=None):
    fv, choices = national.national_version(framework_slug=framework, version=version)
    return render(
        request,
        "benchmarks/national.html",
        {
            "picture": national.national_picture(framework_version=fv),
            "choices": choices,
            "newest": choices[0],
        },
    )


@require_GET
def national_download(request, framework, fmt, version=None):
    fv, _ = national.national_version(framework_slug=framework, version=version)
    rows = national.open_data_rows(national.national_picture(framework_version=fv))
    if fmt == "json":
        response = JsonResponse(
            {
                "framework": fv.framework.slug,
                "version": fv.version,
                "rules": f"Medians need {disclosure.MIN_FOR_MEDIAN} or more organisations, "
                f"quartiles {disclosure.MIN_FOR_DISTRIBUTION} or more; no single "
                "organisation's value, minimum or maximum is ever published.",
                "rows": rows,
            }
        )
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_cell(v) for k, v in row.items()})
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
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
