from django.apps import AppConfig


class MovingConfig(AppConfig):
    """Moving house: one declaration dispatched to the organisations the citizen picks."""

    name = "civiquest.integrations.address.moving"
    label = "moving"
