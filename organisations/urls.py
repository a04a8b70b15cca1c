from django.urls import path

from organisations import views

app_name = "organisations"
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
    path("organisations/<int:pk>/audit.csv", views.audit_csv, name="audit_csv"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
