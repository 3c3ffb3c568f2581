"""The integrations' periodic jobs are also commands, for hosts that run cron instead of Celery beat."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("appointments_coordination_sync", "0 appointment(s) registered, 0 withdrawn."),
        ("titles_expiry_notify", "0 notice(s) written."),
        ("moving_dispatches_refresh", "0 dispatch(es) refreshed."),
    ],
)
def test_each_periodic_job_runs_as_a_command(command: str, expected: str) -> None:
    out = io.StringIO()
    call_command(command, stdout=out)
    assert out.getvalue().strip() == expected
