"""Every task that fails for good leaves a visible ``TaskFailure`` row, never only a log line.

Connected to Celery's ``task_failure`` signal in ``CoreConfig.ready``. The signal fires once
the retries are spent (a retry sends ``task_retry`` instead). The handler never raises: a
failure to record a failure is logged, and must not disturb the worker.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from civiquest.core.models import TaskFailure

logger = logging.getLogger(__name__)

MAX_TEXT = 200
MAX_MESSAGE = 2_000
MAX_TRACEBACK = 20_000
MAX_DEPTH = 4
REDACTED = "[masqué]"
# Argument names whose value is never stored, whatever it is.
SECRET_NAME = re.compile(r"pass|secret|token|auth|cookie|credential|api_?key|private|signature", re.IGNORECASE)


def json_safe(value: Any, depth: int = 0) -> Any:
    """``value`` as small JSON: strings cut short, secret-looking keys masked, other objects named only."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if depth >= MAX_DEPTH:
        return f"<{type(value).__name__}>"
    if isinstance(value, list | tuple):
        return [json_safe(item, depth + 1) for item in value[:20]]
    if isinstance(value, dict):
        return {
            str(key)[:MAX_TEXT]: REDACTED if SECRET_NAME.search(str(key)) else json_safe(item, depth + 1)
            for key, item in list(value.items())[:20]
        }
    # An object's repr may carry anything (a URL with a password): only its type is kept.
    return f"<{type(value).__name__}>"


def task_failure_record(
    *,
    task_name: str,
    task_id: str | None,
    args: Any,
    kwargs: Any,
    exception: BaseException,
    traceback: str,
    retries: int,
) -> None:
    """Write (or update, for a task id that failed before) the failure's row."""
    now = timezone.now()
    details = {
        "task_name": task_name[:200],
        "args": json_safe(list(args or ())),
        "kwargs": json_safe(dict(kwargs or {})),
        "exception_type": f"{type(exception).__module__}.{type(exception).__qualname__}"[:200],
        "exception_message": str(exception)[:MAX_MESSAGE],
        "traceback": traceback[-MAX_TRACEBACK:],
        "retries": max(retries, 0),
        "last_failed_at": now,
    }
    with transaction.atomic():
        failure, created = TaskFailure.objects.select_for_update().get_or_create(
            task_id=(task_id or f"sans-identifiant-{uuid.uuid4()}")[:255],
            defaults={**details, "first_failed_at": now},
        )
        if not created:
            for name, value in details.items():
                setattr(failure, name, value)
            failure.failure_count += 1
            failure.save()


def on_task_failure(
    sender: Any = None,
    task_id: str | None = None,
    exception: BaseException | None = None,
    args: Any = None,
    kwargs: Any = None,
    einfo: Any = None,
    **_extra: Any,
) -> None:
    """The ``task_failure`` signal handler: records the failure; logs, never raises, if it cannot."""
    try:
        request = getattr(sender, "request", None)
        task_failure_record(
            task_name=str(getattr(sender, "name", None) or "?"),
            task_id=task_id,
            args=args,
            kwargs=kwargs,
            exception=exception if exception is not None else RuntimeError("unknown"),
            traceback=str(getattr(einfo, "traceback", "") or ""),
            retries=int(getattr(request, "retries", 0) or 0),
        )
    except Exception:
        logger.exception("Could not record the failure of task %s (%s)", getattr(sender, "name", "?"), task_id)
