from celery import shared_task

from civiquest.progress.habits import services


@shared_task(name="habits.habits_remind", ignore_result=True)
def habits_remind() -> int:
    """Opt-in reminders of habits whose period ends soon (idempotent per habit and period)."""
    return services.habits_remind()
