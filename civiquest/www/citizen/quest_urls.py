from django.urls import path

from civiquest.www.citizen import catalogue_views, quest_views

urlpatterns = [
    path("demarches/", catalogue_views.catalogue, name="catalogue"),
    path("demarches/<slug:slug>/", catalogue_views.procedure, name="procedure"),
    path("renouveler/<slug:title>/", catalogue_views.title_renew, name="title-renew"),
    path("demarches/<slug:slug>/commencer/", quest_views.quest_start_view, name="quest-start"),
    path("mes-demarches/", quest_views.quests, name="quests"),
    path("mes-demarches/<int:quest_id>/", quest_views.quest, name="quest"),
    path("mes-demarches/<int:quest_id>/etapes/<slug:step_slug>/", quest_views.quest_step, name="quest-step"),
    path("mes-demarches/<int:quest_id>/recapitulatif/", quest_views.quest_review, name="quest-review"),
    path("mes-demarches/<int:quest_id>/deposer/", quest_views.quest_submit_view, name="quest-submit"),
]
