from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civiquest.core"
    label = "core"
    verbose_name = "Cœur"
