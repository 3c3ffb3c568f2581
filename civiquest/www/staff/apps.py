from django.apps import AppConfig


class StaffPortalConfig(AppConfig):
    """The staff portal: views, forms and urls; no models."""

    name = "civiquest.www.staff"
    label = "staff_portal"
    verbose_name = "Portail de gestion"
