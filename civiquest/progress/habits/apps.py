from django.apps import AppConfig


class HabitsConfig(AppConfig):
    """Civic habits, check-ins and streaks, avatar and cosmetics, and the "mode sobre" preference.

    A Django app of its own inside ``civiquest.progress``, so that its models and migrations
    evolve apart from the XP ledger and badges.
    """

    name = "civiquest.progress.habits"
    label = "habits"
    verbose_name = "Habitudes civiques"
