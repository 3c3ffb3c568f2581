from django.apps import AppConfig


class StaffPortalConfig(AppConfig):
    """The staff portal: views, forms and urls, and the ``catalogue_load`` command; no models."""

    name = "civiquest.www.staff"
    label = "staff_portal"
    verbose_name = "Portail de gestion"
