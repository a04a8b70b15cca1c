from django.contrib import admin
from django.urls import include, path

from maturity import views

admin.site.site_header = "Digital maturity administration"
admin.site.site_title = "Digital maturity administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("account/", include("maturity.accounts.urls")),
    path("frameworks/", include("frameworks.urls")),
    path("", include("organisations.urls")),
    path("", include("assessments.urls")),
    path("", include("benchmarks.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
