"""A task for the worker test only (loaded with ``celery worker --include``): it always fails.

It declares no ``autoretry_for``: the retries come from the project's default policy
(civiquest/core/task_policy.py). Only the waits are shortened, to keep the test fast.
"""

from celery import shared_task

ALWAYS_FAILS = "tests.core.always_fails"
RETRIES = 2


@shared_task(name=ALWAYS_FAILS, ignore_result=True, retry_backoff=1, retry_jitter=False, max_retries=RETRIES)
def always_fails(marker: str, api_token: str = "") -> None:
    """An organisation that never answers: a transient error, every time."""
    raise ConnectionRefusedError(f"sandbox down ({marker})")
