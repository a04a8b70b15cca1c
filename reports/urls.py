from django.urls import path

from reports import views

app_name = "reports"
ASSESSMENT = "organisations/<int:pk>/assessments/<int:apk>/"
urlpatterns = [
    path(f"{ASSESSMENT}answers.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path(f"{ASSESSMENT}answers.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path(f"{ASSESSMENT}report.pdf", views.report_pdf, name="report_pdf"),
    path(f"{ASSESSMENT}report.docx", views.report_docx, name="report_docx"),
    path("organisations/<int:pk>/data.json", views.organisation_data, name="organisation_data"),
    path("clients/branding/", views.branding, name="branding"),
    path("clients/branding/logo/", views.branding_logo, name="branding_logo"),
    path("clients/exports/", views.bulk_exports, name="bulk_exports"),
    path("clients/exports/<int:export_pk>/", views.bulk_export, name="bulk_export"),
    path(
        "clients/exports/<int:export_pk>/status/",
        views.bulk_export_status,
        name="bulk_export_status",
    ),
    path(
        "clients/exports/<int:export_pk>/download/",
        views.bulk_export_download,
        name="bulk_export_download",
    ),
]
