"""The real Celery app for the worker test's beat (``celery -A tests.core.celery_beat_app beat``):
a real job, every second instead of every day."""

from config.celery import app

app.conf.beat_schedule = {
    "sessions-clear-expired": {"task": "core.sessions_clear_expired", "schedule": 1.0},
    "recommendations-deadlines-notify": {"task": "recommendations.deadlines_notify", "schedule": 1.0},
}

__all__ = ["app"]
