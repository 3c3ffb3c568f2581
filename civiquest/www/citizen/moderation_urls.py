from django.urls import URLPattern, path

from civiquest.www.citizen import moderation_views as views

urlpatterns: list[URLPattern] = [
    path("entraide/questions/<int:post_id>/signaler/", views.report_question, name="report-question"),
    path("entraide/reponses/<int:post_id>/signaler/", views.report_answer, name="report-answer"),
    path("entraide/charte/", views.charter, name="moderation-charter"),
    path("mon-espace/entraide/moderation/", views.decisions, name="moderation-decisions"),
]
