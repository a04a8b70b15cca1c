from django.contrib import admin
from django.urls import include, path

from maturity import views

admin.site.site_header = "Digital maturity administration"
admin.site.site_title = "Digital maturity administration"

accounts_patterns = (
    [
        path("sign-in/", views.SignInView.as_view(), name="login"),
        path("sign-out/", views.SignOutView.as_view(), name="logout"),
        path("", views.account, name="account"),
        path("password/", views.PasswordChangeView.as_view(), name="password_change"),
        path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
        path(
            "password/reset/sent/",
            views.PasswordResetDoneView.as_view(),
            name="password_reset_done",
        ),
        path(
            "password/reset/<uidb64>/<token>/",
            views.PasswordResetConfirmView.as_view(),
            name="password_reset_confirm",
        ),
        path(
            "password/reset/done/",
            views.PasswordResetCompleteView.as_view(),
            name="password_reset_complete",
        ),
    ],
    "accounts",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("account/", include(accounts_patterns)),
    path("frameworks/", include("frameworks.urls")),
    path("", include("assessments.urls")),
    path("admin/", admin.site.urls),
]
