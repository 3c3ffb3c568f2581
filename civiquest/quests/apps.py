from django.apps import AppConfig

from civiquest.core.citizen_cache import citizen_via, invalidate_citizen_on_change


class QuestsConfig(AppConfig):
    """Quests: a citizen's file on a procedure, its answers and steps, validation and the state machine."""

    name = "civiquest.quests"
    label = "quests"
    verbose_name = "Dossiers des usagers"

    def ready(self) -> None:
        from civiquest.quests.models import Quest, QuestTransition  # noqa: PLC0415 - models load after the app registry

        # The citizen's cached reads (the home) change with their quests: core.citizen_cache. Their
        # answers, steps and attachments are written by quests.services and quests.attachments,
        # which lock the quest first (``_lock``), and that draws the new generation.
        invalidate_citizen_on_change(Quest, lambda quest: quest.citizen_id)
        invalidate_citizen_on_change(QuestTransition, citizen_via(QuestTransition, "quest"))
