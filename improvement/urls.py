from django.urls import path

from improvement import views

app_name = "improvement"
PLAN = "organisations/<int:pk>/plan/"
ACTION = f"{PLAN}<int:action_pk>/"
urlpatterns = [
    path(PLAN, views.plan, name="plan"),
    path(f"{PLAN}settings/", views.plan_settings, name="plan_settings"),
    path(
        "organisations/<int:pk>/assessments/<int:apk>/actions/add/",
        views.action_add,
        name="action_add",
    ),
    path(ACTION, views.action_detail, name="action"),
    path(f"{ACTION}edit/", views.action_edit, name="action_edit"),
    path(f"{ACTION}status/", views.action_status, name="action_status"),
    path(f"{ACTION}notes/", views.action_note, name="action_note"),
    path("your-actions/", views.your_actions, name="your_actions"),
]
