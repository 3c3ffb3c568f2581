import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import CitizenFactory


@pytest.fixture
def fc_citizen(db):
    return CitizenFactory(
        given_names="Angela Claire Louise",
        family_name="DUBOIS",
        usage_name="",
        birthdate=dt.date(1962, 8, 24),
        gender="female",
        birthplace="75107",
        birthcountry="99100",
        identity_refreshed_at=timezone.now(),
        email="angela@example.fr",
    )


def test_the_profile_shows_the_identity_from_franceconnect_read_only(client, fc_citizen):
    client.force_login(fc_citizen)
    response = client.get(reverse("citizen:profile"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Transmise par FranceConnect" in content
    assert "Angela Claire Louise" in content and "DUBOIS" in content and "24 août 1962" in content
    # Identity is shown, never offered as a form field.
    assert 'name="family_name"' not in content and 'name="birthdate"' not in content


def test_contact_preferences_are_saved(client, fc_citizen):
    client.force_login(fc_citizen)
    response = client.post(reverse("citizen:profile"), {"email": "nouvelle@example.fr"}, follow=True)
    assert "Vos préférences de contact sont enregistrées." in response.content.decode()
    fc_citizen.refresh_from_db()
    assert fc_citizen.email == "nouvelle@example.fr"
    assert fc_citizen.notify_by_email is False


def test_identity_fields_posted_with_the_form_are_ignored(client, fc_citizen):
    client.force_login(fc_citizen)
    client.post(
        reverse("citizen:profile"), {"email": "a@example.fr", "family_name": "PIRATE", "notify_by_email": "on"}
    )
    fc_citizen.refresh_from_db()
    assert fc_citizen.family_name == "DUBOIS"
    assert fc_citizen.notify_by_email is True


def test_an_invalid_email_gets_a_clear_error_and_changes_nothing(client, fc_citizen):
    client.force_login(fc_citizen)
    response = client.post(reverse("citizen:profile"), {"email": "pas-une-adresse", "notify_by_email": "on"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Saisissez une adresse de courriel valide." in content
    assert 'value="pas-une-adresse"' in content
    fc_citizen.refresh_from_db()
    assert fc_citizen.email == "angela@example.fr"
