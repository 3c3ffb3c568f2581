from django.urls import path

from civiquest.www.citizen import display_views, habits_views

urlpatterns = [
    path("mon-espace/habitudes/", habits_views.habits, name="habits"),
    path("mon-espace/habitudes/adopter/", habits_views.habit_adopt, name="habit-adopt"),
    path("mon-espace/habitudes/<int:habit_id>/cocher/", habits_views.habit_checkin, name="habit-checkin"),
    path("mon-espace/habitudes/<int:habit_id>/arreter/", habits_views.habit_drop, name="habit-drop"),
    path("mon-espace/habitudes/pause/", habits_views.habits_pause, name="habits-pause"),
    path("mon-espace/habitudes/rappels/", habits_views.habits_reminders, name="habits-reminders"),
    path("mon-espace/avatar/", habits_views.avatar_editor, name="avatar"),
    path("mon-espace/jeu/", habits_views.game_preferences, name="game-preferences"),
    path("mon-espace/affichage/", display_views.display_choice, name="display-choice"),
]
