from django.apps import AppConfig

from civiquest.core.citizen_cache import citizen_via, invalidate_citizen_on_change


class HabitsConfig(AppConfig):
    """Civic habits, check-ins and streaks, avatar and cosmetics, and the "mode sobre" preference.

    A Django app of its own inside ``civiquest.progress``, so that its models and migrations
    evolve apart from the XP ledger and badges.
    """

    name = "civiquest.progress.habits"
    label = "habits"
    verbose_name = "Habitudes civiques"

    def ready(self) -> None:
        from civiquest.progress.habits.models import CheckIn, GamePreferences, Habit, Pause  # noqa: PLC0415 - models load after the app registry

        # The citizen's cached reads (the home's habits, the game shown or not) change with these: core.citizen_cache.
        for model in (Habit, Pause, GamePreferences):
            invalidate_citizen_on_change(model, lambda row: row.citizen_id)
        invalidate_citizen_on_change(CheckIn, citizen_via(CheckIn, "habit"))
