"""The Celery application. With no ``REDIS_URL``, tasks run inline (always eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every task retries transient errors with backoff (civiquest/core/task_policy.py); a name,
# not the class, so that importing the settings does not import the project's modules.
app = Celery("civiquest", task_cls="civiquest.core.task_policy:CiviQuestTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
