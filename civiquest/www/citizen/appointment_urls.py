from django.urls import URLPattern, path

from civiquest.www.citizen import appointment_pages, appointment_views

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
    # The citizen's own appointment: confirmation, calendar file, cancel (with a confirmation step).
    path("rendez-vous/<int:appointment_id>/", appointment_pages.confirmation, name="appointment-confirmation"),
    path("rendez-vous/<int:appointment_id>/agenda.ics", appointment_pages.ics, name="appointment-ics"),
    path("rendez-vous/<int:appointment_id>/annuler/", appointment_pages.cancel, name="appointment-cancel-confirm"),
]
