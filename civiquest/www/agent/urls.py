from django.urls import include, path

from civiquest.www.agent import api_token_views, bulk_views, export_views, notification_views, opinion_views, views

app_name = "agent"

urlpatterns = [
    # The home page is the inbox.
    path("", views.home, name="home"),
    path("dossiers/action-groupee/", bulk_views.bulk, name="bulk"),
    path("dossiers/<int:quest_id>/", views.quest, name="quest"),
    path("dossiers/<int:quest_id>/action/", views.quest_action, name="quest-action"),
    path("dossiers/<int:quest_id>/messages/", views.quest_message, name="quest-message"),
    path("dossiers/<int:quest_id>/suivre/", views.quest_follow, name="quest-follow"),
    path("dossiers/<int:quest_id>/notes/", views.quest_note, name="quest-note"),
    path("dossiers/<int:quest_id>/etiquettes/", views.quest_labels, name="quest-labels"),
    path("dossiers/<int:quest_id>/documents/<int:document_id>/", views.quest_document, name="quest-document"),
    path(
        "dossiers/<int:quest_id>/messages/<int:message_id>/piece-jointe/",
        views.message_attachment,
        name="message-attachment",
    ),
    path("dossiers/<int:quest_id>/avis/", views.quest_opinion, name="quest-opinion"),
    path("avis/", opinion_views.opinions_list, name="opinions"),
    path("avis/<int:opinion_id>/", opinion_views.opinion, name="opinion"),
    path("dossiers/<int:quest_id>/attestation/", views.quest_attestation, name="quest-attestation"),
    path("exports/", export_views.export, name="export"),
    path("exports/fichiers/", export_views.export_jobs_list, name="export-jobs"),
    path("exports/fichiers/<uuid:public_id>/", export_views.export_job_download, name="export-job-download"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/resume/", notification_views.notifications_digest, name="notifications-digest"),
    path("api/", api_token_views.api_tokens_list, name="api-tokens"),
    path("api/nouveau/", api_token_views.api_token_new, name="api-token-new"),
    path("api/<int:token_id>/", api_token_views.api_token_detail, name="api-token"),
    path("api/<int:token_id>/revoquer/", api_token_views.api_token_revoke_view, name="api-token-revoke"),
    path("", include("civiquest.www.agent.appointment_urls")),
]
