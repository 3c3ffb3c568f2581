from django.urls import path

from civiquest.www.citizen import assistant_views

urlpatterns = [
    path("mon-espace/assistant/", assistant_views.assistant, name="assistant"),
    path("mon-espace/assistant/flux/", assistant_views.assistant_stream, name="assistant-stream"),
    path(
        "mon-espace/assistant/<int:conversation_id>/",
        assistant_views.assistant_conversation,
        name="assistant-conversation",
    ),
    path(
        "mon-espace/assistant/reponses/<int:message_id>/avis/",
        assistant_views.assistant_feedback,
        name="assistant-feedback",
    ),
]
