from django.contrib import admin
from django.urls import include, path

from maturity import views

admin.site.site_header = "Digital maturity administration"
admin.site.site_title = "Digital maturity administration"

accounts_patterns = (
    [
        path("sign-in/", views.SignInView.as_view(), name="login"),
        path("sign-out/", views.SignOutView.as_view(), name="logout"),
    ],
    "accounts",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("account/", include(accounts_patterns)),
    path("frameworks/", include("frameworks.urls")),
    path("admin/", admin.site.urls),
]
