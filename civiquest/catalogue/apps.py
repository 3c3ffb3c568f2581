from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

from civiquest.catalogue.cache import catalogue_changed


class CatalogueConfig(AppConfig):
    """The catalogue: procedures, their revisions, steps and fields, and the staff builder's services."""

    name = "civiquest.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue des démarches"

    def ready(self) -> None:
        # apps.py is imported before the models: they can be imported once the registry is ready.
        from civiquest.accounts.models import Service  # noqa: PLC0415 - models not ready at app loading
        from civiquest.catalogue.models import Procedure, ProcedureLifeEvent  # noqa: PLC0415 - models not ready at app loading

        # What the catalogue's cached listing shows: any change renders it anew.
        for model in (Procedure, ProcedureLifeEvent, Service):
            post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-{model.__name__}-save")
            post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-{model.__name__}-delete")
