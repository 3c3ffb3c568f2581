from celery import shared_task

from civiquest.privacy import services


@shared_task(name="privacy.data_export_build", ignore_result=True)
def data_export_build(export_id: int) -> bool:
    """Build a citizen's export ZIP (idempotent: a redelivered message finds it ready)."""
    return services.data_export_build(export_id=export_id)


@shared_task(name="privacy.exports_purge", ignore_result=True)
def exports_purge() -> int:
    """Delete the exports past their 24 hours, with their files (hourly; also ``manage.py privacy_exports_purge``)."""
    return services.data_exports_purge()
