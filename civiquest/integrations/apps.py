from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Clients of the State services: address (BAN), passport (ANTS), taxes (DGFiP, OpenFisca)."""

    name = "civiquest.integrations"
    label = "integrations"
    verbose_name = "Intégrations"
