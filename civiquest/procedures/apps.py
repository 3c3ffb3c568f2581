from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ProceduresConfig(AppConfig):
    """Procedure catalogue and revisions, quests, instruction workflow, rewards definitions, document wallet."""

    name = "civiquest.procedures"
    label = "procedures"
    verbose_name = "Démarches"

    def ready(self) -> None:
        from civiquest.accounts.models import Service
        from civiquest.procedures.catalogue_cache import catalogue_changed
        from civiquest.procedures.models import Procedure, ProcedureLifeEvent

        # What the catalogue's cached listing shows: any change renders it anew.
        for model in (Procedure, ProcedureLifeEvent, Service):
            post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-{model.__name__}-save")
            post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-{model.__name__}-delete")
