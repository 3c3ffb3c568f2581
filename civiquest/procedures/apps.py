from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    """Procedure catalogue and revisions, quests, instruction workflow, rewards definitions, document wallet."""

    name = "civiquest.procedures"
    label = "procedures"
    verbose_name = "Démarches"
