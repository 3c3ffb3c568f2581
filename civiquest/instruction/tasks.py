from celery import shared_task

from civiquest.instruction import deadlines, export_jobs


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
