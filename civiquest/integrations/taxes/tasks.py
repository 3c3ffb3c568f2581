"""The tax estimate as a Celery task, on a queue of its own (``taxes``).

Its worker (``taxes`` in the Procfile: one process, a few threads) builds OpenFisca once at
start; web processes send the household and wait for the answer, so they never load it.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import shared_task
from celery.exceptions import TimeoutError as ResultTimeout
from celery.signals import worker_ready
from django.conf import settings
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from civiquest.integrations.taxes import simulator

logger = logging.getLogger(__name__)


@shared_task(name="taxes.estimate", ignore_result=False)
def taxes_estimate(household: dict[str, Any]) -> dict[str, Any]:
    return simulator.compute_and_cache(simulator.Household.from_normalized(household)).as_dict()


def estimate_in_worker(household: dict[str, Any]) -> dict[str, Any]:
    """The estimate from the simulator's worker, waited for at most ``TAXES_ESTIMATE_TIMEOUT_SECONDS``.

    Inline when Celery runs tasks eagerly (no broker: the demo, the tests).
    """
    timeout = float(settings.TAXES_ESTIMATE_TIMEOUT_SECONDS)
    try:
        # Expires with the wait: nobody reads an estimate computed after the page gave up.
        result = taxes_estimate.apply_async((household,), expires=timeout)
        # Never called from inside a task, so the wait cannot deadlock a worker. Celery's guard is a
        # process-wide flag that an eager task run by another thread (the demo's, the tests') sets.
        answer = result.get(timeout=timeout, propagate=True, disable_sync_subtasks=False)
        result.forget()
    except (ResultTimeout, KombuError, RedisError, OSError) as error:
        logger.warning("tax estimate not computed", extra={"problem": type(error).__name__})
        raise simulator.SimulatorUnavailable from error
    return dict(answer)


@worker_ready.connect
def _build_openfisca_at_start(**kwargs: Any) -> None:
    # Only the worker of the taxes queue pays for OpenFisca (CIVIQUEST_PRELOAD_OPENFISCA=1 in the Procfile).
    if os.environ.get("CIVIQUEST_PRELOAD_OPENFISCA", "").strip() == "1":
        simulator.tax_benefit_system()
