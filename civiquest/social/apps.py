from django.apps import AppConfig


class SocialConfig(AppConfig):
    """Mutual aid questions and answers, votes, moderation, sharing, trusted-helper mandates."""

    name = "civiquest.social"
    label = "social"
    verbose_name = "Entraide et partage"
