from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """The citizen's RGPD rights: the data map, the export of their data and the erasure of their account.

    An app above the domains (accounts, procedures, progress, assistant, integrations): its
    use cases read and write all of them, and no domain imports it.
    """

    name = "civiquest.privacy"
    label = "privacy"
    verbose_name = "Données personnelles"
