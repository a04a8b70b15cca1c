from django.urls import path, register_converter

from frameworks import crosswalk_views, editor_views, views


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
    # The file format's JSON Schema, at an address that stays put (its $id).
    path("schema/maturity-framework-1.json", views.format_schema, name="schema"),
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
        "<slug:slug>/<version:version>/download.xlsx",
        views.version_download_xlsx,
        name="download_xlsx",
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

# The framework editor (frameworks/editor_views.py): drafts only.
EDIT = "<slug:slug>/<version:version>/edit/"
urlpatterns += [
    path(EDIT, editor_views.editor, name="editor"),
    path(f"{EDIT}details/", editor_views.details, name="editor_details"),
    path(f"{EDIT}warnings/", editor_views.warnings, name="editor_warnings"),
    path(f"{EDIT}scale/", editor_views.scale, name="editor_scale"),
    path(f"{EDIT}scale/add/", editor_views.level_add, name="editor_level_add"),
    path(f"{EDIT}scale/<int:lpk>/remove/", editor_views.level_remove, name="editor_level_remove"),
    path(f"{EDIT}facets/", editor_views.facets, name="editor_facets"),
    path(f"{EDIT}facets/add/", editor_views.facet_add, name="editor_facet_add"),
    path(f"{EDIT}facets/<int:fpk>/", editor_views.facet_edit, name="editor_facet"),
    path(f"{EDIT}facets/<int:fpk>/remove/", editor_views.facet_remove, name="editor_facet_remove"),
    path(f"{EDIT}facets/<int:fpk>/values/add/", editor_views.value_add, name="editor_value_add"),
    path(f"{EDIT}facets/<int:fpk>/values/<int:vpk>/", editor_views.value_edit, name="editor_value"),
    path(
        f"{EDIT}facets/<int:fpk>/values/<int:vpk>/remove/",
        editor_views.value_remove,
        name="editor_value_remove",
    ),
    path(f"{EDIT}dimensions/add/", editor_views.dimension_add, name="editor_dimension_add"),
    path(f"{EDIT}dimensions/<int:dpk>/", editor_views.dimension_edit, name="editor_dimension"),
    path(
        f"{EDIT}dimensions/<int:dpk>/move/",
        editor_views.dimension_move,
        name="editor_dimension_move",
    ),
    path(
        f"{EDIT}dimensions/<int:dpk>/remove/",
        editor_views.dimension_remove,
        name="editor_dimension_remove",
    ),
    path(
        f"{EDIT}dimensions/<int:dpk>/questions/add/",
        editor_views.question_add,
        name="editor_question_add",
    ),
    path(f"{EDIT}questions/<int:qpk>/", editor_views.question_edit, name="editor_question"),
    path(
        f"{EDIT}questions/<int:qpk>/move/", editor_views.question_move, name="editor_question_move"
    ),
    path(
        f"{EDIT}questions/<int:qpk>/remove/",
        editor_views.question_remove,
        name="editor_question_remove",
    ),
]

# Comparing versions (frameworks/crosswalk_views.py): the diff is public for published versions;
# the crosswalk is for framework editors.
VERSION = "<slug:slug>/<version:version>/"
urlpatterns += [
    path(f"{VERSION}changes/", crosswalk_views.version_diff, name="diff"),
    path(f"{VERSION}changes.csv", crosswalk_views.version_diff_csv, name="diff_csv"),
    path(f"{VERSION}crosswalk/", crosswalk_views.crosswalk, name="crosswalk"),
    path(
        f"{VERSION}crosswalk/confirm/",
        crosswalk_views.crosswalk_confirm,
        name="crosswalk_confirm",
    ),
    path(
        f"{VERSION}crosswalk/<int:pk>/",
        crosswalk_views.crosswalk_question,
        name="crosswalk_question",
    ),
    path(
        f"{VERSION}crosswalk/dropped/<int:pk>/",
        crosswalk_views.crosswalk_dropped,
        name="crosswalk_dropped",
    ),
]
