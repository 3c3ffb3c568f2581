"""Wrong types in a page's query string (``?page=abc``, a number too big for the database, a date
out of range) show the page as if the parameter were absent: never a server error."""

import base64

import pytest
from django.urls import reverse

from civiquest.accounts.models import ServiceRole
from tests.accounts.factories import AgentFactory, CitizenFactory, StaffFactory, login_verified
from tests.catalogue.factories import member_of
from tests.integrations.ants_editor.factories import MeetingPointFactory, mairie

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
BAD_PAGES = ["abc", HUGE, "-1", "0", "1e9", " ", "%E2%82%AC"]


def assert_shown(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)


@pytest.mark.parametrize("page", BAD_PAGES)
def test_citizen_pages_ignore_a_bad_page_number(client, page):
    login_verified(client, CitizenFactory())
    for name in ("citizen:catalogue", "citizen:notifications", "citizen:progress"):
        assert_shown(client, f"{reverse(name)}?page={page}")


@pytest.mark.parametrize("value", BAD_PAGES)
def test_the_agent_inbox_ignores_bad_numbers(client, value):
    agent = member_of(mairie())
    login_verified(client, agent)
    inbox = reverse("agent:home")
    for parameter in ("page", "demarche", "etiquette", "apres", "avant"):
        assert_shown(client, f"{inbox}?{parameter}={value}")


@pytest.mark.parametrize(
    "key",
    [
        "0001-01-01T00:00:00+14:00~~1",  # the earliest date, pushed out of range by its offset
        "9999-12-31T23:59:59-14:00~~1",
        f"~~{HUGE}",
        "2026-01-01T00:00:00~~1",  # a naive date
        "~2026-01-01T00:00:00+00:00~0",
    ],
)
def test_the_agent_inbox_ignores_a_forged_page_key(client, key):
    agent = member_of(mairie())
    login_verified(client, agent)
    token = base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")
    for parameter in ("apres", "avant"):
        assert_shown(client, f"{reverse('agent:home')}?{parameter}={token}")


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31", "2026-13-45", "abc", HUGE])
def test_the_agent_week_ignores_a_date_out_of_range(client, week):
    service = mairie()
    login_verified(client, member_of(service, ServiceRole.MANAGER))
    point = MeetingPointFactory(service=service)
    assert_shown(client, reverse("agent:meeting-point", args=[point.pk]) + f"?semaine={week}")


@pytest.mark.parametrize("page", BAD_PAGES)
def test_the_staff_audit_log_ignores_a_bad_page_number(client, page):
    login_verified(client, StaffFactory())
    assert_shown(client, f"{reverse('staff:audit-log')}?page={page}")


def test_an_agent_without_service_sees_an_empty_inbox_whatever_the_query(client):
    login_verified(client, AgentFactory())
    response = client.get(f"{reverse('agent:home')}?page={HUGE}&demarche={HUGE}")
    assert response.status_code == 200
    assert response.context["inbox"].total == 0 and response.context["inbox"].rows == []
