from django.apps import AppConfig


class PassportConfig(AppConfig):
    """Passport and identity card: mairie appointment slots, ANTS editor endpoints and coordination API."""

    name = "civiquest.integrations.passport"
    label = "passport"
