from django.urls import URLPattern, path

from civiquest.www.staff import moderation_views as views

urlpatterns: list[URLPattern] = [
    path("moderation/", views.queue, name="moderation-queue"),
    path("moderation/questions/<int:post_id>/", views.question, name="moderation-question"),
    path("moderation/reponses/<int:post_id>/", views.answer, name="moderation-answer"),
]
