from django.urls import path

from civiquest.www.citizen import recommendation_views as views

urlpatterns = [
    path("mon-espace/a-faire/", views.todo, name="todo"),
    path("mon-espace/a-faire/evenements/", views.life_event_declare, name="life-event-declare"),
    path("mon-espace/a-faire/evenements/<int:event_id>/retirer/", views.life_event_remove, name="life-event-remove"),
    path("mon-espace/a-faire/suggestions/", views.recommendations_similar, name="recommendations-similar"),
    path("mon-espace/a-faire/<slug:slug>/retablir/", views.recommendation_restore, name="recommendation-restore"),
    path(
        "mon-espace/a-faire/<slug:slug>/<slug:answer>/",
        views.recommendation_answer,
        name="recommendation-answer",
    ),
]
