from celery.signals import task_failure
from django.apps import AppConfig
from django.core.signals import setting_changed


class CoreConfig(AppConfig):
    name = "civiquest.core"
    label = "core"
    verbose_name = "Cœur"

    def ready(self) -> None:
        # task_failures imports core.models, which cannot load before the app registry is ready.
        from civiquest.core.task_failures import on_task_failure  # noqa: PLC0415 - models not ready at app loading

        # In the worker and in every process that runs tasks inline: no failure goes unrecorded.
        task_failure.connect(on_task_failure, dispatch_uid="civiquest.core.task_failures")

        from civiquest.core.fragments import fragments_clear  # noqa: PLC0415 - beside the other receivers

        setting_changed.connect(fragments_clear, dispatch_uid="civiquest.core.fragments")
