from django.contrib import admin
from django.urls import include, path

from maturity import views
from maturity.accounts.views import admin_sign_in

admin.site.site_header = "Digital maturity administration"
admin.site.site_title = "Digital maturity administration"
# One sign-in form and one set of limits on guessing: the admin's login page sends people to it.
admin.site.login = admin_sign_in
# 503 with a page that says so when the database cannot be reached; 500 otherwise.
handler500 = "maturity.views.server_error"
handler400 = "maturity.views.bad_request"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("account/", include("maturity.accounts.urls")),
    path("frameworks/", include("frameworks.urls")),
    path("", include("organisations.urls")),
    path("", include("assessments.urls")),
    path("", include("benchmarks.urls")),
    path("", include("improvement.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
