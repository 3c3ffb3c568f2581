import json

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.utils import run_django

CLOSED_PORT_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # Port 9 (discard) is closed on loopback: connecting fails at once.
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    "fragments": django_settings.FRAGMENTS_CACHE,
}


@pytest.mark.django_db
def test_healthz_answers_without_any_io(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_is_ok_when_database_and_cache_answer(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}, "failed": []}


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_cache_when_redis_is_unreachable(client, settings):
    settings.CACHES = CLOSED_PORT_REDIS
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failed"] == ["cache"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("error: ")


READYZ_PROBE = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/readyz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def test_readyz_answers_503_naming_the_database_when_postgresql_is_unreachable(tmp_path):
    # A fresh process whose database is a PostgreSQL on a closed port.
    result = run_django(["-c", READYZ_PROBE], {"DATABASE_URL": "postgres://postgres@127.0.0.1:9/civiquest"}, tmp_path)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 503
    assert outcome["body"]["failed"] == ["database"]
    assert outcome["body"]["checks"]["cache"] == "ok"


def test_health_endpoints_refuse_other_methods(client):
    assert client.post(reverse("healthz")).status_code == 405
