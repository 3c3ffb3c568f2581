"""The default retry policy of every CiviQuest Celery task (``config/celery.py`` makes it the base).

A transient error (network, SMTP, database connection, a State service down) is retried
with exponential backoff and jitter; a task still failing after ``max_retries`` is recorded
as a ``core.TaskFailure`` (``civiquest/core/task_failures.py``). Every task is idempotent,
so running one again is safe. A task may still set its own ``autoretry_for``/``retry_backoff``.
"""

from celery import Task
from django.db import InterfaceError, OperationalError
from httpx import TransportError

from civiquest.core.errors import TransientError

# OSError covers ConnectionError, TimeoutError, socket errors and smtplib.SMTPException.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    OperationalError,
    InterfaceError,
    TransportError,
    TransientError,
)


class CiviQuestTask(Task):
    autoretry_for = TRANSIENT_ERRORS
    # 30 s, 1, 2, 4, 8 min (full jitter: a random wait up to that), then recorded as failed.
    retry_backoff = 30
    # Below the Redis visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS): a retry waiting
    # longer would be delivered a second time.
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5
