from django.urls import path, register_converter

from frameworks import views


class VersionConverter:
    regex = r"[0-9A-Za-z][0-9A-Za-z.+-]{0,39}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(VersionConverter, "version")

app_name = "frameworks"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("import/", views.framework_import, name="import"),
    path("new/", views.framework_create, name="create"),
    path("<slug:slug>/", views.framework_detail, name="framework"),
    path("<slug:slug>/<version:version>/", views.version_detail, name="version"),
    path(
        "<slug:slug>/<version:version>/download.yaml",
        views.version_download,
        {"fmt": "yaml"},
        name="download_yaml",
    ),
    path(
        "<slug:slug>/<version:version>/download.json",
        views.version_download,
        {"fmt": "json"},
        name="download_json",
    ),
    path(
        "<slug:slug>/<version:version>/questionnaire.pdf",
        views.version_questionnaire,
        name="questionnaire_pdf",
    ),
    path("<slug:slug>/<version:version>/new-draft/", views.version_new_draft, name="new_draft"),
    path("<slug:slug>/<version:version>/publish/", views.version_publish, name="publish"),
    path("<slug:slug>/<version:version>/retire/", views.version_retire, name="retire"),
]
