from django.apps import AppConfig


class CitizenPortalConfig(AppConfig):
    """The citizen site: views, forms and urls; no models."""

    name = "civiquest.www.citizen"
    label = "citizen_portal"
    verbose_name = "Portail citoyen"
