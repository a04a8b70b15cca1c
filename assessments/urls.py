from django.urls import path

from assessments import views

app_name = "assessments"
ASSESSMENT = "organisations/<int:pk>/assessments/<int:apk>/"
urlpatterns = [
    path("organisations/<int:pk>/assessments/start/", views.start, name="start"),
    path(ASSESSMENT, views.assessment_detail, name="assessment"),
    path(f"{ASSESSMENT}questions/<int:qpk>/", views.question, name="question"),
    path(f"{ASSESSMENT}questions/<int:qpk>/autosave/", views.autosave, name="autosave"),
    path(f"{ASSESSMENT}agree/<int:dpk>/", views.agree_dimension, name="agree_dimension"),
    path(f"{ASSESSMENT}agree/<int:dpk>/accept/", views.agree_accept, name="agree_accept"),
    path(f"{ASSESSMENT}agree/questions/<int:qpk>/", views.agree_question, name="agree_question"),
    path(
        f"{ASSESSMENT}agree/questions/<int:qpk>/autosave/",
        views.agree_autosave,
        name="agree_autosave",
    ),
    path(f"{ASSESSMENT}your-answers/", views.your_answers, name="your_answers"),
    path(f"{ASSESSMENT}check/", views.check, name="check"),
    path(f"{ASSESSMENT}results/", views.results, name="results"),
    path(f"{ASSESSMENT}results/explain/", views.explain, name="explain_overall"),
    path(f"{ASSESSMENT}results/explain/<int:dpk>/", views.explain, name="explain_dimension"),
    path(f"{ASSESSMENT}reopen/", views.reopen, name="reopen"),
    # A framework editor's preview of a question page (frameworks/editor_views.py links it).
    path(
        "frameworks/<slug:slug>/<str:version>/edit/questions/<int:qpk>/preview/",
        views.question_preview,
        name="question_preview",
    ),
]
