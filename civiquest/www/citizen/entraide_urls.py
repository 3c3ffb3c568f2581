from django.urls import path

from civiquest.www.citizen import entraide_views as views

urlpatterns = [
    path("entraide/pseudonyme/", views.pseudonym, name="entraide-pseudonym"),
    path("entraide/demarches/<slug:slug>/", views.procedure_questions, name="entraide-procedure"),
    path("entraide/demarches/<slug:slug>/poser/", views.question_ask, name="entraide-ask"),
    path("entraide/questions/<int:question_id>/", views.question, name="entraide-question"),
    path("entraide/questions/<int:question_id>/repondre/", views.answer_post, name="entraide-answer"),
    path("entraide/reponses/<int:answer_id>/utile/", views.answer_vote, name="entraide-vote"),
    path("entraide/reponses/<int:answer_id>/accepter/", views.answer_accept, name="entraide-accept"),
]
