from django.urls import path

import frameworks.urls  # noqa: F401  registers the <version:...> path converter
from benchmarks import views

app_name = "benchmarks"
urlpatterns = [
    path("organisations/<int:pk>/dashboards/<slug:framework>/", views.dashboard, name="dashboard"),
    path("national/", views.national_index, name="national_index"),
    path("national/<slug:framework>/", views.national_picture, name="national"),
    path(
        "national/<slug:framework>/download.csv",
        views.national_download,
        {"fmt": "csv"},
        name="national_csv",
    ),
    path(
        "national/<slug:framework>/download.json",
        views.national_download,
        {"fmt": "json"},
        name="national_json",
    ),
    # Each version's own open data; the three URLs above show the default version's.
    path(
        "national/<slug:framework>/<version:version>/",
        views.national_picture,
        name="national_version",
    ),
    path(
        "national/<slug:framework>/<version:version>/download.csv",
        views.national_download,
        {"fmt": "csv"},
        name="national_version_csv",
    ),
    path(
        "national/<slug:framework>/<version:version>/download.json",
        views.national_download,
        {"fmt": "json"},
        name="national_version_json",
    ),
    path("clients/compare/<slug:framework>/", views.consultant_compare, name="compare"),
]
