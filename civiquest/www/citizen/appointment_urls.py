from django.urls import URLPattern, path

from civiquest.www.citizen import appointment_views

urlpatterns: list[URLPattern] = [
    path(
        "mes-demarches/<int:quest_id>/rendez-vous/reserver/",
        appointment_views.quest_book,
        name="appointment-quest-book",
    ),
    path(
        "mes-demarches/<int:quest_id>/rendez-vous/annuler/",
        appointment_views.quest_cancel,
        name="appointment-quest-cancel",
    ),
    # ANTS's callback_url for one slot (built by civiquest.integrations.passport.editor).
    path("rendez-vous/creneaux/<int:slot_id>/", appointment_views.book, name="appointment-book"),
    # The management URL given to ANTS: the token is the key.
    path("rendez-vous/gestion/<str:token>/", appointment_views.manage, name="appointment-manage"),
    path("rendez-vous/gestion/<str:token>/annuler/", appointment_views.cancel, name="appointment-cancel"),
]
