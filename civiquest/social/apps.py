from django.apps import AppConfig


class SocialConfig(AppConfig):
    """What the social apps share: the citizen's pseudonym (``SocialProfile``).

    Entraide (``social.entraide``), sharing and circles (``social.sharing``) and trusted-helper
    mandates (``social.mandates``) are Django apps of their own inside this package, so that
    their models and migrations evolve apart.
    """

    name = "civiquest.social"
    label = "social"
    verbose_name = "Entraide et partage"
