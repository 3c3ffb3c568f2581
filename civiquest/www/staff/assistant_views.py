"""The assistant's statistics for platform staff: most asked questions, worst-rated answers, per procedure."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.assistant.conversations.selectors import assistant_stats, negative_comments
from civiquest.assistant.conversations.services import history_cutoff

PER_PROCEDURE = 10


@role_required(Role.STAFF)
def assistant_stats_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Over the retention period (what is kept): questions are redacted, so no personal data shows here."""
    since = history_cutoff()
    return render(
        request,
        "staff/assistant/stats.html",
        {
            "title": _("Assistant : questions et avis"),
            "procedures": assistant_stats(since=since, per_procedure=PER_PROCEDURE),
            "comments": negative_comments(since=since),
            "retention_days": settings.ASSISTANT_HISTORY_RETENTION_DAYS,
            "per_procedure": PER_PROCEDURE,
        },
    )
