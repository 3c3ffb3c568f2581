from django.apps import AppConfig


class ModerationConfig(AppConfig):
    """Reports on entraide posts, the moderators' decisions, suspensions from posting."""

    name = "civiquest.social.moderation"
    label = "moderation"
    verbose_name = "Modération"
