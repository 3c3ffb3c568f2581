from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    """The migration history of the tables that now belong to catalogue, quests, documents and instruction.

    Those apps took the models over with ``SeparateDatabaseAndState`` and the tables kept their
    ``procedures_*`` names, so the migrations that create and change them stay here, in order.
    """

    name = "civiquest.procedures"
    label = "procedures"
    verbose_name = "Démarches (historique des migrations)"
