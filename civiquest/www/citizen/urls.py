from django.urls import include, path

from civiquest.www.citizen import notification_views, views

app_name = "citizen"

urlpatterns = [
    path("", views.home, name="home"),
    path("mon-espace/", views.dashboard, name="dashboard"),
    path("mon-espace/profil/", views.profile, name="profile"),
    path("mon-espace/notifications/", notification_views.notifications, name="notifications"),
    # The document wallet and the procedures/quests pages, each in its own module.
    path("", include("civiquest.www.citizen.wallet_urls")),
    path("", include("civiquest.www.citizen.quest_urls")),
    path("", include("civiquest.www.citizen.instruction_urls")),
    path("", include("civiquest.www.citizen.assistant_urls")),
    path("", include("civiquest.www.citizen.progress_urls")),
    path("", include("civiquest.www.citizen.habits_urls")),
    path("", include("civiquest.www.citizen.address_urls")),
    path("", include("civiquest.www.citizen.appointment_urls")),
    path("", include("civiquest.www.citizen.taxes_urls")),
    path("", include("civiquest.www.citizen.privacy_urls")),
    path("", include("civiquest.www.citizen.recommendation_urls")),
    path("", include("civiquest.www.citizen.entraide_urls")),
    path("", include("civiquest.www.citizen.moderation_urls")),
    path("", include("civiquest.www.citizen.sharing_urls")),
    path("", include("civiquest.www.citizen.mandate_urls")),
]
