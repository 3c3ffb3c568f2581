from django.apps import AppConfig


class QuestsConfig(AppConfig):
    """Quests: a citizen's file on a procedure, its answers and steps, validation and the state machine."""

    name = "civiquest.quests"
    label = "quests"
    verbose_name = "Dossiers des usagers"
