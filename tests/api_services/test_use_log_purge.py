"""The API tokens' use log is kept API_TOKEN_USE_RETENTION_DAYS, then purged daily by beat."""

import datetime as dt
import io

from django.conf import settings
from django.core.management import call_command

from civiquest.accounts import api_tokens
from civiquest.accounts.models import ServiceApiTokenUse
from civiquest.accounts.tasks import api_token_uses_purge

NOW = dt.datetime(2026, 12, 8, 12, 0, tzinfo=dt.UTC)


def _use(token, *, days_ago: float) -> ServiceApiTokenUse:
    return ServiceApiTokenUse.objects.create(
        token=token, at=NOW - dt.timedelta(days=days_ago), method="GET", path="/api/v1/services/1/quests", status=200
    )


def test_uses_older_than_the_retention_are_deleted_and_the_others_kept(read_token, settings):
    settings.API_TOKEN_USE_RETENTION_DAYS = 30
    old, edge, recent = (
        _use(read_token.token, days_ago=31),
        _use(read_token.token, days_ago=30),
        _use(read_token.token, days_ago=29),
    )

    assert api_tokens.token_uses_purge(now=NOW) == 1

    assert set(ServiceApiTokenUse.objects.values_list("pk", flat=True)) == {edge.pk, recent.pk}
    assert not ServiceApiTokenUse.objects.filter(pk=old.pk).exists()
    # Again: nothing more to delete.
    assert api_tokens.token_uses_purge(now=NOW) == 0


def test_the_purge_is_a_daily_beat_task_and_a_command(read_token):
    _use(read_token.token, days_ago=settings.API_TOKEN_USE_RETENTION_DAYS + 400)
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-api-token-uses-purge"]
    assert entry["task"] == api_token_uses_purge.name == "accounts.api_token_uses_purge"
    assert str(entry["schedule"]) == "<crontab: 40 3 * * * (m/h/dM/MY/d)>"
    out = io.StringIO()
    call_command("api_token_uses_purge", stdout=out)
    assert out.getvalue() == "1 use(s) of API tokens deleted.\n"
    assert not ServiceApiTokenUse.objects.exists()
    assert settings.API_TOKEN_USE_RETENTION_DAYS == 365
