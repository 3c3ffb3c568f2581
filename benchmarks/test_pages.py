"""Request-level benchmarks through Django's full middleware stack (`make bench`)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import StaffFactory, login_verified


@pytest.mark.django_db
def test_bench_landing_page(benchmark):
    client = Client()
    response = benchmark(client.get, reverse("citizen:home"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_bench_staff_overview(benchmark):
    client = Client()
    login_verified(client, StaffFactory())  # staff pass their second factor too
    response = benchmark(client.get, reverse("staff:home"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_bench_readyz(benchmark):
    client = Client()
    response = benchmark(client.get, reverse("readyz"))
    assert response.status_code == 200


def test_bench_healthz(benchmark):
    client = Client()
    response = benchmark(client.get, reverse("healthz"))
    assert response.status_code == 200
