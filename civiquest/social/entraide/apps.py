from django.apps import AppConfig


class EntraideConfig(AppConfig):
    """Questions and answers between citizens, votes, reports and moderation."""

    name = "civiquest.social.entraide"
    label = "entraide"
    verbose_name = "Entraide"
