from django.apps import AppConfig


class TaxesConfig(AppConfig):
    """Taxes: OpenFisca income-tax simulator, API Impôt particulier client, tax calendar."""

    name = "civiquest.integrations.taxes"
    label = "taxes"
