from django.urls import path

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
    path("clients/compare/<slug:framework>/", views.consultant_compare, name="compare"),
]
