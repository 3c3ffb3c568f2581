from django.urls import URLPattern, path

from civiquest.www.citizen import address_views, commune_views

urlpatterns: list[URLPattern] = [
    path("adresses/suggestions/", address_views.address_suggestions, name="address-suggestions"),
    path("communes/suggestions/", commune_views.commune_suggestions, name="commune-suggestions"),
    # Where the changement-adresse quest's declaration step leads: the citizen's latest such quest.
    path("mon-espace/demenagement/", address_views.moving, name="moving"),
    path("mes-demarches/<int:quest_id>/demenagement/", address_views.moving_quest, name="moving-quest"),
    path(
        "mes-demarches/<int:quest_id>/demenagement/actualiser/",
        address_views.moving_refresh,
        name="moving-refresh",
    ),
    path(
        "mes-demarches/<int:quest_id>/demenagement/<slug:organisation>/renvoyer/",
        address_views.moving_retry,
        name="moving-retry",
    ),
]
