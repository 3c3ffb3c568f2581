from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Messages to one user: the in-app centre, e-mail, the weekly digest, preferences."""

    name = "civiquest.notifications"
    label = "notifications"
    verbose_name = "Notifications"
