from django.apps import AppConfig

from civiquest.core.citizen_cache import invalidate_citizen_on_change


class RecommendationsConfig(AppConfig):
    """What to do next: life events, the rules that follow them, deadlines, reasons."""

    name = "civiquest.recommendations"
    label = "recommendations"
    verbose_name = "Recommandations"

    def ready(self) -> None:
        from civiquest.recommendations.models import Feedback, LifeEvent, Preferences  # noqa: PLC0415 - models load after the app registry

        # The citizen's cached ranking (the dashboard's "À faire") changes with these: core.citizen_cache.
        for model in (Feedback, LifeEvent, Preferences):
            invalidate_citizen_on_change(model, lambda row: row.citizen_id)
