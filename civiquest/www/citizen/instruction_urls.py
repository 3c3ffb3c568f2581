from django.urls import path

from civiquest.www.citizen import instruction_views

urlpatterns = [
    path("mes-demarches/<int:quest_id>/messages/", instruction_views.quest_messages, name="quest-messages"),
    path(
        "mes-demarches/<int:quest_id>/messages/<int:message_id>/piece-jointe/",
        instruction_views.message_attachment,
        name="quest-message-attachment",
    ),
    path("mes-demarches/<int:quest_id>/attestation/", instruction_views.quest_attestation, name="quest-attestation"),
    path("attestations/verifier/", instruction_views.attestation_verify, name="attestation-verify"),
]
