from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from civiquest.core.tasks import sessions_clear_expired
from config.celery import app


@pytest.mark.django_db
def test_without_a_broker_tasks_run_inline(settings):
    if settings.CELERY_BROKER_URL != "memory://":
        pytest.skip("runs on the embedded configuration only")
    Session.objects.create(session_key="expired", session_data="", expire_date=timezone.now() - timedelta(days=1))
    Session.objects.create(session_key="current", session_data="", expire_date=timezone.now() + timedelta(days=1))
    sessions_clear_expired.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]


def test_the_daily_jobs_are_scheduled_for_celery_beat():
    app.loader.import_default_modules()  # what a worker does at start: import every app's tasks
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "core.sessions_clear_expired" in scheduled
    assert set(app.tasks) >= scheduled
