from django.urls import path

from civiquest.www.citizen import assistant_views, assistant_visitor_views

urlpatterns = [
    # Anyone may ask here, signed in or not (nothing stored for a visitor); citizens are sent to their chat.
    path("assistant/", assistant_visitor_views.assistant_visitor, name="assistant-visitor"),
    path("assistant/flux/", assistant_visitor_views.assistant_visitor_stream, name="assistant-visitor-stream"),
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
