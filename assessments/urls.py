from django.urls import path

from assessments.views import consultant, journey, national
from assessments.views import people as views

app_name = "assessments"
urlpatterns = [
    path("organisations/", views.your_organisations, name="your_organisations"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/invite/", views.invite_member, name="invite"),
    path("organisations/<int:pk>/consultants/invite/", views.grant_consultant, name="grant"),
    path(
        "organisations/<int:pk>/members/<int:membership_pk>/role/",
        views.change_role,
        name="change_role",
    ),
    path(
        "organisations/<int:pk>/members/<int:membership_pk>/remove/",
        views.remove_member,
        name="remove_member",
    ),
    path(
        "organisations/<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path(
        "organisations/<int:pk>/consultants/<int:grant_pk>/withdraw/",
        views.revoke_grant,
        name="revoke_grant",
    ),
    path("organisations/<int:pk>/audit/", views.audit_log, name="audit_log"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    # The assessment journey
    path("organisations/<int:pk>/assessments/start/", journey.start, name="start"),
    path(
        "organisations/<int:pk>/assessments/<int:apk>/",
        journey.assessment_detail,
        name="assessment",
    ),
    path(
        "organisations/<int:pk>/assessments/<int:apk>/questions/<int:qpk>/",
        journey.question,
        name="question",
    ),
    path(
        "organisations/<int:pk>/assessments/<int:apk>/questions/<int:qpk>/autosave/",
        journey.autosave,
        name="autosave",
    ),
    path(
        "organisations/<int:pk>/assessments/<int:apk>/agree/<int:dpk>/",
        journey.agree_dimension,
        name="agree_dimension",
    ),
    path(
        "organisations/<int:pk>/assessments/<int:apk>/agree/questions/<int:qpk>/",
        journey.agree_question,
        name="agree_question",
    ),
    path(
        "organisations/<int:pk>/assessments/<int:apk>/agree/questions/<int:qpk>/autosave/",
        journey.agree_autosave,
        name="agree_autosave",
    ),
    path("organisations/<int:pk>/assessments/<int:apk>/check/", journey.check, name="check"),
    path("organisations/<int:pk>/assessments/<int:apk>/results/", journey.results, name="results"),
    path(
        "organisations/<int:pk>/assessments/<int:apk>/results/explain/",
        journey.explain,
        name="explain_overall",
    ),
    path(
        "organisations/<int:pk>/assessments/<int:apk>/results/explain/<int:dpk>/",
        journey.explain,
        name="explain_dimension",
    ),
    path("organisations/<int:pk>/assessments/<int:apk>/reopen/", journey.reopen, name="reopen"),
    path(
        "organisations/<int:pk>/assessments/<int:apk>/answers.xlsx",
        journey.export,
        {"fmt": "xlsx"},
        name="export_xlsx",
    ),
    path(
        "organisations/<int:pk>/assessments/<int:apk>/answers.csv",
        journey.export,
        {"fmt": "csv"},
        name="export_csv",
    ),
    path(
        "organisations/<int:pk>/assessments/<int:apk>/report.pdf",
        journey.report_pdf,
        name="report_pdf",
    ),
    path("national/", national.national_index, name="national_index"),
    path("national/<slug:framework>/", national.national_picture, name="national"),
    path(
        "national/<slug:framework>/download.csv",
        national.national_download,
        {"fmt": "csv"},
        name="national_csv",
    ),
    path(
        "national/<slug:framework>/download.json",
        national.national_download,
        {"fmt": "json"},
        name="national_json",
    ),
    path("clients/compare/<slug:framework>/", national.consultant_compare, name="compare"),
    path("clients/branding/", consultant.branding, name="branding"),
    path("clients/branding/logo/", consultant.branding_logo, name="branding_logo"),
    path("clients/exports/", consultant.bulk_exports, name="bulk_exports"),
    path("clients/exports/<int:export_pk>/", consultant.bulk_export, name="bulk_export"),
    path(
        "clients/exports/<int:export_pk>/status/",
        consultant.bulk_export_status,
        name="bulk_export_status",
    ),
    path(
        "clients/exports/<int:export_pk>/download/",
        consultant.bulk_export_download,
        name="bulk_export_download",
    ),
    path(
        "organisations/<int:pk>/dashboards/<slug:framework>/",
        journey.dashboard,
        name="dashboard",
    ),
]
