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
    # Evidence files: attached to one's own answer or (a lead) to the agreed one, downloaded
    # only by those who may see that answer, removed from an answer, or erased for good.
    path(f"{ASSESSMENT}questions/<int:qpk>/files/", views.evidence_attach, name="evidence_attach"),
    path(
        f"{ASSESSMENT}questions/<int:qpk>/files/<int:fpk>/remove/",
        views.evidence_remove,
        name="evidence_remove",
    ),
    path(
        f"{ASSESSMENT}agree/questions/<int:qpk>/files/",
        views.agree_evidence_attach,
        name="agree_evidence_attach",
    ),
    path(
        f"{ASSESSMENT}agree/questions/<int:qpk>/files/<int:fpk>/remove/",
        views.agree_evidence_remove,
        name="agree_evidence_remove",
    ),
    path(
        f"{ASSESSMENT}agree/questions/<int:qpk>/files/<int:fpk>/use/",
        views.agree_evidence_use,
        name="agree_evidence_use",
    ),
    path(f"{ASSESSMENT}files/<int:fpk>/", views.evidence_file, name="evidence_file"),
    path(f"{ASSESSMENT}files/<int:fpk>/erase/", views.evidence_erase, name="evidence_erase"),
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
