from django.apps import AppConfig


class AddressConfig(AppConfig):
    """Addresses: the BAN geocoder client and the embedded local geocoder."""

    name = "civiquest.integrations.address"
    label = "address"
