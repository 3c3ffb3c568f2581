from django.apps import AppConfig


class MandatesConfig(AppConfig):
    """Trusted helpers acting for a citizen under a scoped, time-limited, revocable mandate."""

    name = "civiquest.social.mandates"
    label = "mandates"
    verbose_name = "Aidants et mandats"
