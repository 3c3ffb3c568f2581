from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskFailure(models.Model):
    """A background task that failed for good: its retries spent, or an error not worth retrying.

    Written from Celery's ``task_failure`` signal (``core/task_failures.py``), one row per
    task id: the same message failing again (redelivered) updates its row. Arguments are
    kept as JSON with secret-looking values redacted; the tasks only take ids.
    """

    task_name = models.CharField(_("tâche"), max_length=200)
    task_id = models.CharField(_("identifiant de la tâche"), max_length=255, unique=True)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("arguments nommés"), default=dict, blank=True)
    exception_type = models.CharField(_("type d’erreur"), max_length=200)
    exception_message = models.TextField(_("message d’erreur"), blank=True)
    traceback = models.TextField(_("trace"), blank=True)
    retries = models.PositiveIntegerField(_("nouvelles tentatives"), default=0)
    failure_count = models.PositiveIntegerField(_("échecs"), default=1)
    first_failed_at = models.DateTimeField(_("premier échec"))
    last_failed_at = models.DateTimeField(_("dernier échec"), db_index=True)

    class Meta:
        verbose_name = _("tâche en échec")
        verbose_name_plural = _("tâches en échec")
        ordering = ["-last_failed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task_name} ({self.exception_type})"
