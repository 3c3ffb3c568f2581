from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

from civiquest.social.entraide.cache import entraide_changed


class EntraideConfig(AppConfig):
    """Questions and answers between citizens, votes, reports and moderation."""

    name = "civiquest.social.entraide"
    label = "entraide"
    verbose_name = "Entraide"

    def ready(self) -> None:
        from civiquest.social.entraide.models import Answer, Question, Vote  # noqa: PLC0415 - models load after the app registry

        # What the quest steps' cached entraide box shows (cache.py): any change reads it anew.
        for model in (Question, Answer, Vote):
            post_save.connect(entraide_changed, sender=model, dispatch_uid=f"entraide-{model.__name__}-save")
            post_delete.connect(entraide_changed, sender=model, dispatch_uid=f"entraide-{model.__name__}-delete")
