"""NUL bytes and lone surrogates get a clear 400, never a 500, wherever they come in."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

INVALID = "Votre envoi contient un caractère invalide"


def test_a_query_string_with_a_nul_is_refused(client):
    response = client.get(reverse("citizen:catalogue"), {"q": "pass\x00port"})
    assert response.status_code == 400 and INVALID in response.content.decode()


def test_an_encoded_surrogate_in_the_query_is_no_error(client):
    # Invalid UTF-8 in a query string is decoded with replacement characters: searched, not a 500.
    assert client.get(reverse("citizen:catalogue") + "?q=pass%ED%A0%80port").status_code == 200


def test_a_percent_encoded_nul_in_the_query_is_refused(client):
    response = client.get(reverse("citizen:catalogue") + "?q=pass%00port")
    assert response.status_code == 400


@pytest.mark.parametrize("body", ['{"question": "passeport \\u0000 perdu"}', '{"question": "passeport \\ud800"}'])
def test_a_json_body_with_a_nul_or_a_lone_surrogate_gets_a_json_400(client, citizen, body):
    client.force_login(citizen)
    response = client.post("/api/v1/assistant/ask", body, content_type="application/json")
    assert response.status_code == 400
    assert INVALID in response.json()["detail"]


def test_a_form_field_with_a_nul_is_refused_and_nothing_is_saved(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("citizen:catalogue"), "q=a%00b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_ordinary_accented_input_goes_through(client):
    response = client.get(reverse("citizen:catalogue"), {"q": "étranger « voyage » 🚀"})
    assert response.status_code == 200
