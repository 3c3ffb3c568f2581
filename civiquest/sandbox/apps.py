from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """Local simulators of FranceConnect, ProConnect and the State APIs; never enabled in production."""

    name = "civiquest.sandbox"
    label = "sandbox"
    verbose_name = "Bacs à sable"
