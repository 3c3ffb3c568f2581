from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Links that share a checklist, a badge or a level without anything personal; circles."""

    name = "civiquest.social.sharing"
    label = "sharing"
    verbose_name = "Partage"
