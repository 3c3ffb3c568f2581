from celery import shared_task

from civiquest.instruction import deadlines, digest, export_jobs


@shared_task(name="procedures.deadlines_warn", ignore_result=True, autoretry_for=(OSError,), retry_backoff=60)
def deadlines_warn() -> int:
    """The daily warning of quests due soon (also ``manage.py deadlines_warn``); idempotent per day."""
    return deadlines.deadlines_warn()


@shared_task(name="instruction.export_job_build", ignore_result=True)
def export_job_build(job_id: int) -> bool:
    """Build an agent's export file (idempotent: a redelivered message finds it ready)."""
    return export_jobs.export_job_build(job_id=job_id)


@shared_task(name="instruction.export_jobs_purge", ignore_result=True)
def export_jobs_purge() -> int:
    """Delete the agents' exports past their lifetime, with their files (hourly; ``manage.py export_jobs_purge``)."""
    return export_jobs.export_jobs_purge()


@shared_task(name="instruction.agent_digests_send", ignore_result=True, autoretry_for=(OSError,), retry_backoff=60)
def agent_digests_send() -> int:
    """The agents' daily digest of the quests new for them (``manage.py agent_digests_send``); once a day."""
    return digest.agent_digests_send()
