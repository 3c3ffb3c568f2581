from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civiquest.core"
    label = "core"
    verbose_name = "Cœur"

    def ready(self) -> None:
        from celery.signals import task_failure

        from civiquest.core.task_failures import on_task_failure

        # In the worker and in every process that runs tasks inline: no failure goes unrecorded.
        task_failure.connect(on_task_failure, dispatch_uid="civiquest.core.task_failures")
