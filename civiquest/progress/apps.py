from django.apps import AppConfig


class ProgressConfig(AppConfig):
    """XP ledger, levels, badges, habits and streaks, avatar and cosmetics, notifications."""

    name = "civiquest.progress"
    label = "progress"
    verbose_name = "Progression"
