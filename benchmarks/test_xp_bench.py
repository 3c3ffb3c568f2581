"""XP benchmarks (`make bench`): an award (distinct events), the derived level (cached), the progress page."""

import itertools

import pytest
from django.test import Client
from django.urls import reverse

from civiquest.progress import xp
from tests.accounts.factories import CitizenFactory


@pytest.mark.django_db
def test_bench_xp_award(benchmark, settings):
    settings.PROGRESS_XP_DAILY_CAP = 10**9
    citizen = CitizenFactory()
    counter = itertools.count()

    def award():
        number = next(counter)
        return xp.xp_award(citizen=citizen, amount=5, reason=f"bench-{number}", key=f"bench:{citizen.pk}:{number}")

    assert benchmark(award) is not None


@pytest.mark.django_db
def test_bench_xp_award_already_awarded(benchmark):
    citizen = CitizenFactory()
    xp.xp_award(citizen=citizen, amount=5, reason="bench", key="bench-dup")
    assert benchmark(xp.xp_award, citizen=citizen, amount=5, reason="bench", key="bench-dup") is None


@pytest.mark.django_db
def test_bench_level_of(benchmark, settings):
    settings.PROGRESS_XP_DAILY_CAP = 10**9
    citizen = CitizenFactory()
    for number in range(500):
        xp.xp_award(citizen=citizen, amount=3, reason=f"r{number}", key=f"lvl:{number}")
    assert benchmark(xp.level_of, citizen).xp == 1500


@pytest.mark.django_db
def test_bench_progress_page_with_a_long_history(benchmark, settings):
    settings.PROGRESS_XP_DAILY_CAP = 10**9
    citizen = CitizenFactory()
    for number in range(1000):
        xp.xp_award(citizen=citizen, amount=1, reason=f"r{number}", key=f"page:{number}")
    client = Client()
    client.force_login(citizen)
    response = benchmark(client.get, reverse("citizen:progress"))
    assert response.status_code == 200
