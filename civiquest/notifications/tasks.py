from celery import shared_task

from civiquest.notifications import digest
from civiquest.notifications import services as notifications


@shared_task(
    name="progress.notification_email_send",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
)
def notification_email_send(notification_id: int) -> None:
    """Email one notification (idempotent: a notification already emailed is not sent again)."""
    notifications.notification_email_send(notification_id)


@shared_task(name="progress.weekly_digest_send", ignore_result=True, autoretry_for=(OSError,), retry_backoff=60)
def weekly_digest_send() -> int:
    """The weekly digest (also ``manage.py notifications_weekly_digest``); idempotent per ISO week."""
    return digest.weekly_digest_send()
