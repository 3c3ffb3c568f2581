"""Outages survived: Redis killed mid-test, PostgreSQL unreachable, the cache backend's degraded answers."""

from __future__ import annotations

import json
import logging
import time

import pytest
import redis
from django.core.cache import cache, caches
from django.urls import reverse

from civiquest.core import ratelimit
from tests.redis_server import PrivateRedis, private_redis
from tests.utils import run_django

__all__ = ["private_redis"]

SIGNED_IN_PAGES = ("citizen:dashboard", "citizen:notifications", "citizen:progress", "citizen:habits")


def _cache_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "civiquest.core.cache" and r.levelno == logging.WARNING]


def _address_api(client) -> int:
    # Too short a query: answered 400 without calling the geocoder, but counted by the rate limit.
    return client.get("/api/v1/address/search", {"q": "ab"}).status_code


@pytest.mark.django_db
def test_pages_sessions_health_and_rate_limits_survive_redis_being_killed(
    client, citizen, settings, private_redis: PrivateRedis, caplog
):
    settings.CACHES = private_redis.caches()
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.ADDRESS_API_RATE_LIMIT = 3
    settings.ADDRESS_API_RATE_LIMIT_WINDOW_SECONDS = 3600
    ratelimit.forget_local_counts()
    client.force_login(citizen)

    # Redis up: pages, probes, and the session really is in this Redis.
    for name in SIGNED_IN_PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("readyz")).status_code == 200
    keys = redis.Redis.from_url(private_redis.url).keys("civiquest:*")
    assert any(b"sessions.cache" in key for key in keys), keys
    assert [_address_api(client) for _ in range(4)] == [400, 400, 400, 429]

    private_redis.stop()
    caplog.set_level(logging.INFO, logger="civiquest.core.cache")

    started = time.monotonic()
    for name in SIGNED_IN_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert response.context["user"] == citizen  # still signed in: the session came from the database
    # One failed call, then the process skips Redis: no page pays the socket timeout again.
    assert time.monotonic() - started < 2.0
    assert len(_cache_warnings(caplog)) == 1

    healthz = client.get(reverse("healthz"))
    assert healthz.status_code == 200 and healthz.json() == {"status": "ok"}
    readyz = client.get(reverse("readyz"))
    assert readyz.status_code == 503
    assert readyz.json()["failed"] == ["cache"]
    assert readyz.json()["checks"]["cache"].startswith("error: ")
    assert readyz.json()["checks"]["database"] == "ok"

    # The rate limiter keeps limiting, with a counter of this process (docs/deployment.md, "Outages").
    assert [_address_api(client) for _ in range(4)] == [400, 400, 400, 429]
    # Rate-limited in the log, not one warning per call.
    assert len(_cache_warnings(caplog)) == 1


@pytest.mark.django_db
def test_the_resilient_cache_answers_as_a_miss_when_redis_is_down(settings, private_redis: PrivateRedis, caplog):
    settings.CACHES = private_redis.caches(DOWN_SECONDS=0.3)
    backend = caches["default"]
    assert cache.add("k", 1) is True
    assert cache.incr("k") == 2
    assert cache.get_many(["k"]) == {"k": 2}
    private_redis.stop()

    assert cache.get("k", "default") == "default"
    assert backend.is_down()  # type: ignore[attr-defined]
    assert cache.add("other", 1) is False
    assert cache.set("k", 3) is None
    with pytest.raises(ValueError, match="not found"):
        cache.incr("k")
    assert cache.delete("k") is False
    assert cache.get_many(["k", "other"]) == {}
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.has_key("k") is False
    assert cache.get_or_set("k", 5) == 5
    cache.delete_many(["a", "b"])
    cache.clear()
    assert len(_cache_warnings(caplog)) == 1
    # After DOWN_SECONDS, the next call tries Redis again (and fails again, without a second warning yet).
    time.sleep(0.35)
    assert not backend.is_down()  # type: ignore[attr-defined]
    assert cache.get("k") is None
    assert backend.is_down()  # type: ignore[attr-defined]
    assert len(_cache_warnings(caplog)) == 1


@pytest.mark.django_db
def test_the_rate_limiters_count_per_process_while_redis_is_down(settings, private_redis: PrivateRedis):
    from civiquest.assistant.conversations.services import question_count

    def question_allowed(citizen_id: int) -> bool:
        try:
            question_count(citizen_id)
        except ratelimit.RateLimited:
            return False
        return True

    settings.CACHES = private_redis.caches()
    settings.ASSISTANT_RATE_LIMIT_QUESTIONS = 2
    ratelimit.forget_local_counts()
    assert [question_allowed(7) for _ in range(3)] == [True, True, False]
    assert ratelimit.hit("assistant:questions:7", window=600) == 4  # shared: in Redis
    private_redis.stop()
    assert [question_allowed(7) for _ in range(3)] == [True, True, False]
    assert [question_allowed(8) for _ in range(3)] == [True, True, False]


def test_the_local_counter_opens_a_new_window_when_the_last_one_ended(monkeypatch):
    counters = ratelimit._LocalCounters()
    assert [counters.hit("k", 10) for _ in range(3)] == [1, 2, 3]
    real = time.monotonic()
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: real + 11)
    assert counters.hit("k", 10) == 1


# --- PostgreSQL unreachable ----------------------------------------------------------------------

DATABASE_DOWN_PROBE = """
import json, sys, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings


class UserFirst:
    # Reads the session in a middleware, as an authentication middleware does.
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user.is_authenticated
        return self.get_response(request)


def visit(client, path):
    response = client.get(path)
    return {
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "body": response.content.decode(),
    }


paths = json.loads(sys.argv[1])
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "a" * 32
results = {path: visit(client, path) for path in paths}
if "--middleware" in sys.argv:
    middleware = list(settings.MIDDLEWARE)
    after = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    middleware.insert(after + 1, "__main__.UserFirst")
    with override_settings(MIDDLEWARE=middleware):
        other = Client(raise_request_exception=False)
        other.cookies["sessionid"] = "a" * 32
        results["middleware"] = visit(other, "/healthz")
print(json.dumps(results))
"""
# Port 9 (discard) is closed on loopback: PostgreSQL "down", refused at once.
DOWN_DATABASE = "postgres://postgres@127.0.0.1:9/civiquest"


def _probe(tmp_path, paths: list[str], *args: str, pool: bool) -> dict:
    result = run_django(
        ["-c", DATABASE_DOWN_PROBE, json.dumps(paths), *args],
        {"DATABASE_URL": DOWN_DATABASE, "CIVIQUEST_DB_POOL": "1" if pool else "0"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _is_unavailable_page(outcome: dict) -> bool:
    return (
        outcome["status"] == 503
        and outcome["retry_after"] == "30"
        and "Service temporairement indisponible" in outcome["body"]
        and "Réessayez dans quelques minutes" in outcome["body"]
        and "Traceback" not in outcome["body"]
    )


def test_pages_answer_a_clear_503_when_postgresql_is_unreachable(tmp_path):
    results = _probe(
        tmp_path, ["/mon-espace/", "/mon-espace/notifications/", "/healthz", "/readyz"], "--middleware", pool=False
    )
    assert _is_unavailable_page(results["/mon-espace/"]), results["/mon-espace/"]
    assert _is_unavailable_page(results["/mon-espace/notifications/"])
    # The error raised in a middleware (the session read for request.user) gets the same page.
    assert _is_unavailable_page(results["middleware"]), results["middleware"]
    # The probes never read the session: alive, and not ready because of the database.
    assert results["/healthz"]["status"] == 200
    assert results["/readyz"]["status"] == 503
    assert json.loads(results["/readyz"]["body"])["failed"] == ["database"]


def test_a_pooled_connection_that_cannot_be_had_is_the_same_503(tmp_path):
    # psycopg_pool gives up after its timeout with PoolTimeout, an OperationalError.
    results = _probe(tmp_path, ["/mon-espace/"], pool=True)
    assert _is_unavailable_page(results["/mon-espace/"]), results["/mon-espace/"]


def test_other_server_errors_keep_the_500_page(rf):
    from civiquest.www.site_views import server_error

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Retry-After" not in response
