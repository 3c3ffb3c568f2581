"""The one rate limiter, against the real cache: the test settings' cache, and a real Redis shared by processes."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django.utils import translation

from civiquest.core import ratelimit
from civiquest.core.ratelimit import RateLimited, check
from tests.redis_server import PrivateRedis, private_redis
from tests.utils import run_django

__all__ = ["private_redis"]


def _outcomes(key: str, hits: int, *, limit: int, window: int) -> list[int | None]:
    """None for each hit let through, the Retry-After of each refused one."""
    outcomes: list[int | None] = []
    for _ in range(hits):
        try:
            check(key, limit=limit, window=window, message="trop")
        except RateLimited as refused:
            outcomes.append(refused.retry_after)
        else:
            outcomes.append(None)
    return outcomes


def test_hits_up_to_the_limit_pass_then_each_one_is_refused_with_the_time_left() -> None:
    outcomes = _outcomes("test:a", 5, limit=3, window=60)
    assert outcomes[:3] == [None, None, None]
    assert all(retry_after in (59, 60) for retry_after in outcomes[3:])


def test_each_key_has_its_own_window() -> None:
    assert _outcomes("test:one", 2, limit=1, window=60)[1] is not None
    assert _outcomes("test:two", 1, limit=1, window=60) == [None]


def test_the_window_opens_with_the_first_hit_and_a_new_one_follows_it() -> None:
    assert _outcomes("test:w", 3, limit=2, window=2)[2] in (1, 2)
    time.sleep(1.1)
    retry_after = _outcomes("test:w", 1, limit=2, window=2)[0]
    assert retry_after == 1  # the same window, a second closer to its end
    time.sleep(1.0)
    assert _outcomes("test:w", 3, limit=2, window=2)[:2] == [None, None]


def test_the_message_is_built_only_when_the_limit_is_hit() -> None:
    built: list[str] = []

    def message() -> str:
        built.append("built")
        return "Trop de demandes."

    check("test:m", limit=1, window=60, message=message)
    assert built == []
    with pytest.raises(RateLimited) as refused:
        check("test:m", limit=1, window=60, message=message)
    assert refused.value.message == "Trop de demandes." and built == ["built"]


def test_a_lazy_message_is_translated_when_the_limit_is_hit() -> None:
    from django.utils.translation import gettext_lazy

    message = gettext_lazy("Trop de simulations en peu de temps : réessayez dans quelques minutes.")
    with translation.override("en"), pytest.raises(RateLimited) as refused:
        check("test:lazy", limit=0, window=60, message=message)
    assert refused.value.message == "Too many simulations in a short time: try again in a few minutes."


def test_the_json_answer_is_a_429_with_retry_after() -> None:
    response = ratelimit.too_many_requests(RateLimited("Trop de demandes.", retry_after=42))
    assert response.status_code == 429
    assert response["Retry-After"] == "42"
    assert json.loads(response.content) == {"detail": "Trop de demandes."}


@pytest.mark.django_db
def test_the_api_answers_429_with_retry_after_and_a_translated_message(settings) -> None:
    settings.ADDRESS_API_RATE_LIMIT = 1
    client = Client()
    assert client.get("/api/v1/address/search", {"q": "ab"}).status_code == 400  # counted, then refused as bad input
    response = client.get("/api/v1/address/search", {"q": "ab"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert response["Retry-After"] in ("59", "60")
    assert response.json() == {"detail": "Too many address searches in a short time: try again in a minute."}


COUNT_IN_ANOTHER_PROCESS = """
import django
django.setup()
from civiquest.core.ratelimit import RateLimited, check
for _ in range(2):
    check("test:shared", limit=2, window=600, message="trop")
print("counted")
"""


@pytest.mark.django_db
def test_the_count_is_shared_by_processes_through_redis(settings, private_redis: PrivateRedis, tmp_path) -> None:
    settings.CACHES = private_redis.caches()
    ratelimit.forget_local_counts()
    result = run_django(["-c", COUNT_IN_ANOTHER_PROCESS], {"REDIS_URL": private_redis.url}, tmp_path)
    assert result.returncode == 0, result.stderr
    # The other process spent the limit: this one's first hit is refused, with the window's end it opened.
    with pytest.raises(RateLimited) as refused:
        check("test:shared", limit=2, window=600, message="trop")
    assert 590 <= refused.value.retry_after <= 600


@pytest.mark.django_db
def test_with_redis_down_the_count_goes_on_in_this_process(settings, private_redis: PrivateRedis) -> None:
    settings.CACHES = private_redis.caches()
    ratelimit.forget_local_counts()
    assert _outcomes("test:down", 2, limit=2, window=600) == [None, None]
    private_redis.stop()
    # Counted again from zero here (the shared count is out of reach), limited all the same.
    outcomes = _outcomes("test:down", 3, limit=2, window=600)
    assert outcomes[:2] == [None, None]
    assert outcomes[2] is not None and 590 <= outcomes[2] <= 600
