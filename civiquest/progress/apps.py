from django.apps import AppConfig

from civiquest.core.citizen_cache import invalidate_citizen_on_change


class ProgressConfig(AppConfig):
    """XP ledger, levels, badges, habits and streaks, avatar and cosmetics, notifications."""

    name = "civiquest.progress"
    label = "progress"
    verbose_name = "Progression"

    def ready(self) -> None:
        from civiquest.progress.models import BadgeAward, LevelState, XpEntry  # noqa: PLC0415 - models load after the app registry

        # The citizen's cached reads (the home's rewards and level) change with their progress: core.citizen_cache.
        for model in (XpEntry, LevelState, BadgeAward):
            invalidate_citizen_on_change(model, lambda row: row.citizen_id)
