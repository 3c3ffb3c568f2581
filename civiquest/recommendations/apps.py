from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    """What to do next: life events, the rules that follow them, deadlines, reasons."""

    name = "civiquest.recommendations"
    label = "recommendations"
    verbose_name = "Recommandations"
