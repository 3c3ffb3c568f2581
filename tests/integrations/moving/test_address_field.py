"""The address field: a combobox over the geocoder storing the normalized address, free entry always possible."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.urls import reverse

from civiquest.catalogue.cleaning import address_display, address_is_verified, address_label, clean_value
from civiquest.catalogue.inputs import InputInvalid, InputSpec
from civiquest.catalogue.models import FieldKind
from civiquest.core.addresses import NormalizedAddress
from civiquest.www.citizen.quest_forms import (
    StepForm,
    address_from_post,
    address_token,
    address_token_name,
    raw_answers,
)
from tests.integrations.moving.conftest import NOUMEA

FIXTURE = Path(__file__).parent / "data" / "noumea.ndjson"
SPEC = InputSpec(name="adresse", label="Nouvelle adresse", kind=FieldKind.ADDRESS)


# --- What is stored ----------------------------------------------------------------------------------


def test_a_normalized_address_is_stored_whole():
    assert clean_value(SPEC, NOUMEA) == NOUMEA
    assert clean_value(SPEC, clean_value(SPEC, NOUMEA)) == NOUMEA
    assert address_is_verified(NOUMEA) and address_display(NOUMEA) == NOUMEA["label"]


def test_free_entry_is_stored_as_text_with_its_flag_and_shown_as_such():
    typed = {"label": "  Lot 12,  tribu de Saint-Louis  ", "free_entry": True}
    cleaned = clean_value(SPEC, typed)
    assert cleaned == {"label": "Lot 12, tribu de Saint-Louis", "free_entry": True}
    assert clean_value(SPEC, cleaned) == cleaned
    assert not address_is_verified(cleaned)
    assert address_display(cleaned) == "Lot 12, tribu de Saint-Louis (adresse saisie librement, non vérifiée)"


def test_plain_text_answers_stay_valid_and_readable():
    assert clean_value(SPEC, "12  rue de la Paix\n75002 Paris") == "12 rue de la Paix 75002 Paris"
    assert address_label("12 rue de la Paix 75002 Paris") == "12 rue de la Paix 75002 Paris"
    assert address_display("12 rue de la Paix 75002 Paris") == "12 rue de la Paix 75002 Paris"


@pytest.mark.parametrize(
    "raw",
    [
        {"label": ""},
        {**NOUMEA, "lat": "north"},
        {**NOUMEA, "lat": None},
        {"label": "ici", "free_entry": True},
        ["1 rue"],
    ],
)
def test_a_broken_address_is_refused_with_a_clear_message(raw):
    with pytest.raises(InputInvalid) as error:
        clean_value(SPEC, raw)
    assert "Nouvelle adresse" in error.value.message


# --- What the form posts ---------------------------------------------------------------------------


def test_a_picked_suggestion_is_posted_signed_and_edited_text_becomes_free_entry():
    token = address_token(NOUMEA)
    assert address_from_post(NOUMEA["label"], token) == NOUMEA
    assert address_from_post(NOUMEA["label"] + " bis", token) == {
        "label": NOUMEA["label"] + " bis",
        "free_entry": True,
    }
    # A forged suggestion (coordinates changed by hand) is not trusted: the text is kept as free entry.
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert address_from_post(NOUMEA["label"], forged) == {"label": NOUMEA["label"], "free_entry": True}
    assert address_from_post("   ", token) == ""
    data = QueryDict(mutable=True)
    data.update({"adresse": NOUMEA["label"], address_token_name("adresse"): token})
    assert raw_answers([SPEC], data) == {"adresse": NOUMEA}


def test_the_field_is_an_aria_combobox_that_stays_a_text_input():
    html = str(StepForm(specs=[SPEC], answers={"adresse": NOUMEA}))
    for attribute in (
        'role="combobox"',
        'aria-autocomplete="list"',
        'aria-expanded="false"',
        'aria-controls="id_adresse-listbox"',
        'role="listbox"',
        'aria-live="polite"',
        'type="text"',
        'autocomplete="street-address"',
        f'value="{NOUMEA["label"]}"',
        reverse("citizen:address-suggestions"),
    ):
        assert attribute in html, attribute
    assert f'name="{address_token_name("adresse")}"' in html
    free = str(StepForm(specs=[SPEC], answers={"adresse": {"label": "Lot 12, Koné", "free_entry": True}}))
    assert "sans vérification" in free and 'value="Lot 12, Koné"' in free


# --- The suggestions -------------------------------------------------------------------------------


@pytest.fixture
def local_geocoder(db, settings):
    call_command("address_import", str(FIXTURE), stdout=None)
    settings.ADDRESS_BACKEND = "local"


def suggestions(client, text: str):
    return client.get(
        reverse("citizen:address-suggestions"),
        {"field": "adresse", "listbox": "id_adresse-listbox", "adresse": text},
        headers={"HX-Request": "true"},
    )


def test_suggestions_are_options_of_the_listbox_with_their_count(
    local_geocoder, citizen, client, login_verified, django_assert_max_num_queries
):
    login_verified(client, citizen)
    response = suggestions(client, "1 av marechal foch noumea")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_adresse-listbox-option-0"' in content and 'role="option"' in content
    assert "1 Avenue du Maréchal FOCH" in content
    assert 'hx-swap-oob="innerHTML"' in content and "proposée" in content
    with django_assert_max_num_queries(8):
        suggestions(client, "allee bellevue")


def test_a_picked_suggestion_saves_the_normalized_address(
    local_geocoder, moving_quest, citizen, client, login_verified
):
    from civiquest.www.citizen.quest_forms import address_from_token

    quest = moving_quest(citizen)
    login_verified(client, citizen)
    content = suggestions(client, "1 avenue du marechal foch").content.decode()
    token = content.split('data-token="', 1)[1].split('"', 1)[0]
    picked = address_from_token(token)
    assert NormalizedAddress.from_dict(picked).citycode == "98818"
    url = reverse("citizen:quest-step", args=[quest.pk, "nouvelle-adresse"])
    response = client.post(
        url,
        {
            "date_demenagement": "2026-11-02",
            "adresse": picked["label"],
            address_token_name("adresse"): token,
            "organismes": ["impots"],
            "action": "save",
        },
    )
    assert response.status_code == 302
    stored = quest.answers.get(field_name="adresse").value
    assert stored == picked and stored["ban_id"].startswith("98818_") and stored["lat"] < 0


def test_with_the_geocoder_down_the_citizen_is_told_and_free_entry_saves(
    moving_quest, citizen, client, login_verified, settings
):
    settings.ADDRESS_BACKEND = "http"
    settings.INTEGRATIONS = {
        **settings.INTEGRATIONS,
        "ban": {
            **settings.INTEGRATIONS["ban"],
            "BASE_URL": "http://127.0.0.1:9/geocodage",
            "TIMEOUT": 0.3,
            "RETRIES": 0,
        },
    }
    quest = moving_quest(citizen)
    login_verified(client, citizen)
    content = suggestions(client, "3 rue des Lilas").content.decode()
    assert "Nous n’arrivons pas à joindre" in content and "elle sera enregistrée telle quelle" in content
    assert 'role="option"' not in content
    response = client.post(
        reverse("citizen:quest-step", args=[quest.pk, "nouvelle-adresse"]),
        {
            "date_demenagement": "2026-11-02",
            "adresse": "3 rue des Lilas, Koné",
            "organismes": ["caf"],
            "action": "save",
        },
    )
    assert response.status_code == 302
    assert quest.answers.get(field_name="adresse").value == {"label": "3 rue des Lilas, Koné", "free_entry": True}
    page = client.get(reverse("citizen:quest-step", args=[quest.pk, "nouvelle-adresse"])).content.decode()
    assert 'value="3 rue des Lilas, Koné"' in page and "sans vérification" in page


def test_short_queries_ask_nothing(citizen, client, login_verified):
    login_verified(client, citizen)
    content = suggestions(client, "ab").content.decode()
    assert 'role="option"' not in content


def test_suggestions_are_for_signed_in_citizens(client):
    assert suggestions(client, "1 avenue foch").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_suggestions_over_a_socket_from_the_geocoder_sandbox(live_server, settings, client, login_verified):
    """The production client (HTTP, Géoplateforme protocol) against the BAN sandbox on the live server."""
    from civiquest.core.circuit import reset_circuit
    from tests.accounts.factories import CitizenFactory

    call_command("address_import", str(FIXTURE), stdout=None)
    settings.ADDRESS_BACKEND = "http"
    settings.INTEGRATIONS = {
        **settings.INTEGRATIONS,
        "ban": {**settings.INTEGRATIONS["ban"], "BASE_URL": live_server.url + "/sandbox/ban/geocodage", "TIMEOUT": 2},
    }
    reset_circuit("ban")
    login_verified(client, CitizenFactory())
    content = suggestions(client, "1 av marechal foch noumea").content.decode()
    assert 'role="option"' in content and "1 Avenue du Maréchal FOCH" in content
    token = content.split('data-token="', 1)[1].split('"', 1)[0]
    from civiquest.www.citizen.quest_forms import address_from_token

    picked = address_from_token(token)
    assert picked["citycode"] == "98818" and picked["ban_id"].startswith("98818_") and picked["lon"] > 166
