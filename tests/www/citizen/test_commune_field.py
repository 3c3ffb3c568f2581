"""Commune fields: a combobox over the official list, search-then-choose without JS, names in recaps.

The electoral roll quest (its commune chosen by name) over HTTP, and its proof of identity:
an identity card or a passport.
"""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.urls import reverse

from civiquest.actions.catalogue import catalogue_load
from civiquest.catalogue.cleaning import clean_value, commune_display
from civiquest.catalogue.definitions.listes_electorales import INSCRIPTION_LISTES_ELECTORALES
from civiquest.catalogue.inputs import IDENTITY_PROOF, InputInvalid, InputSpec, step_inputs
from civiquest.catalogue.models import FieldKind, Procedure
from civiquest.catalogue.services import revision_loaded
from civiquest.documents.models import DocumentType
from civiquest.quests.answer_documents import wallet_document_check
from civiquest.quests.services import quest_start
from civiquest.www.citizen.commune_field import commune_choice_name, commune_code_name, commune_from_post
from civiquest.www.citizen.quest_forms import StepForm, raw_answers
from tests.catalogue.factories import DocumentFactory

SPEC = InputSpec(name="commune", label="Commune", kind=FieldKind.COMMUNE)


def test_the_core_keeps_the_code_and_the_name_and_refuses_an_unchosen_text():
    assert clean_value(SPEC, {"code": "69383", "name": "Lyon 3e"}) == {"code": "69383", "name": "Lyon 3e"}
    assert clean_value(SPEC, "75056") == "75056"  # a bare code (answers stored before names were kept)
    with pytest.raises(InputInvalid, match="choisissez votre commune dans la liste"):
        clean_value(SPEC, {"query": "Saint-Denis"})
    with pytest.raises(InputInvalid, match="inconnue"):
        clean_value(SPEC, {"code": "6938", "name": "Lyon 3e"})
    assert commune_display({"code": "69383", "name": "Lyon 3e"}) == "Lyon 3e (69383)"


def test_a_post_resolves_a_name_a_code_or_a_choice_and_leaves_doubts_to_the_citizen():
    assert commune_from_post("béziers") == {"code": "34032", "name": "Béziers"}
    assert commune_from_post("  ") == ""
    # Homonyms and partial names: the citizen must choose.
    assert commune_from_post("Saint-Denis") == {"query": "Saint-Denis"}
    assert commune_from_post("lyon 3") == {"query": "lyon 3"}
    # The radio button chosen among the matches of the text, or the combobox's pick.
    assert commune_from_post("Saint-Denis", choice="93066") == {"code": "93066", "name": "Saint-Denis"}
    assert commune_from_post("lyon 3", choice="69383") == {"code": "69383", "name": "Lyon 3e"}
    assert commune_from_post("Lyon 3e (69383)", code="69383") == {"code": "69383", "name": "Lyon 3e"}
    # A choice the text does not match, or an unknown code, is not taken.
    assert commune_from_post("Saint-Denis", choice="34032") == {"query": "Saint-Denis"}
    assert commune_from_post("Saint-Denis", code="00000") == {"query": "Saint-Denis"}
    data = QueryDict(mutable=True)
    data.update({"commune": "Saint-Denis", commune_choice_name("commune"): "97411"})
    assert raw_answers([SPEC], data) == {"commune": {"code": "97411", "name": "Saint-Denis"}}


def test_the_field_is_a_combobox_showing_the_name_never_a_bare_code():
    html = str(StepForm(specs=[SPEC], answers={"commune": {"code": "69383", "name": "Lyon 3e"}})["commune"])
    assert 'role="combobox"' in html and 'aria-controls="id_commune-listbox"' in html
    assert 'value="Lyon 3e (69383)"' in html
    assert f'name="{commune_code_name("commune")}"' in html and 'value="69383"' in html
    assert reverse("citizen:commune-suggestions") in html
    assert 'type="radio"' not in html
    # An answer stored as a bare code shows its name.
    legacy = str(StepForm(specs=[SPEC], answers={"commune": "75056"})["commune"])
    assert 'value="Paris (75056)"' in legacy


def test_without_js_an_ambiguous_name_comes_back_with_the_matching_communes_as_radio_buttons():
    data = QueryDict(mutable=True)
    data.update({"commune": "Saint-Denis"})
    form = StepForm(specs=[SPEC], data=data)
    form.set_errors({"commune": "« Commune » : choisissez votre commune dans la liste."})
    html = str(form["commune"])
    assert 'value="Saint-Denis"' in html
    assert html.count(f'name="{commune_choice_name("commune")}"') >= 2
    assert 'type="radio"' in html and 'value="93066"' in html and 'value="97411"' in html
    assert "Seine-Saint-Denis (93)" in html and "<legend" in html


@pytest.fixture
def electoral_quest(db, citizen):
    catalogue_load([INSCRIPTION_LISTES_ELECTORALES])
    procedure = Procedure.objects.get(slug=INSCRIPTION_LISTES_ELECTORALES.slug)
    return quest_start(citizen=citizen, procedure=procedure)


def test_the_electoral_roll_quest_takes_a_commune_chosen_by_name(electoral_quest, citizen, client, login_verified):
    login_verified(client, citizen)
    url = reverse("citizen:quest-step", args=[electoral_quest.pk, "commune"])
    page = client.get(url).content.decode()
    assert 'role="combobox"' in page and "Code de la commune" not in page

    refused = client.post(url, {"commune": "saint denis", "action": "continue"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "choisissez votre commune dans la liste" in html
    assert 'value="93066"' in html and 'value="97411"' in html
    assert not electoral_quest.answers.filter(field_name="commune").exists()

    chosen = client.post(
        url, {"commune": "saint denis", commune_choice_name("commune"): "93066", "action": "continue"}
    )
    assert chosen.status_code == 302
    assert electoral_quest.answers.get(field_name="commune").value == {"code": "93066", "name": "Saint-Denis"}
    again = client.get(url).content.decode()
    assert 'value="Saint-Denis (93066)"' in again


def test_the_recap_shows_the_commune_by_name(electoral_quest, citizen, client, login_verified):
    login_verified(client, citizen)
    url = reverse("citizen:quest-step", args=[electoral_quest.pk, "commune"])
    assert client.post(url, {"commune": "Béziers", "action": "save"}).status_code == 302
    review = client.get(reverse("citizen:quest-review", args=[electoral_quest.pk])).content.decode()
    assert "Béziers (34032)" in review


def test_the_electoral_roll_accepts_an_identity_card_or_a_passport(electoral_quest):
    step = revision_loaded(electoral_quest.revision_id).steps.get(slug="pieces")
    identity, address = step_inputs(step)
    assert identity.document_type == IDENTITY_PROOF
    assert identity.label == "Carte nationale d’identité ou passeport"
    assert address.document_type == DocumentType.PROOF_OF_ADDRESS
    owner = electoral_quest.citizen
    for accepted in (DocumentType.IDENTITY_CARD, DocumentType.PASSPORT, DocumentType.OTHER):
        wallet_document_check(electoral_quest, identity, DocumentFactory(owner=owner, type=accepted).pk)
    with pytest.raises(InputInvalid, match="autre type"):
        wallet_document_check(
            electoral_quest, identity, DocumentFactory(owner=owner, type=DocumentType.DRIVING_LICENCE).pk
        )


def test_suggestions_are_the_matching_communes_as_options(citizen, client, login_verified):
    login_verified(client, citizen)
    url = reverse("citizen:commune-suggestions")
    response = client.get(url, {"field": "commune", "commune": "st etienne", "listbox": "id_commune-listbox"})
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert 'id="id_commune-listbox-option-0"' in html and 'data-token="42218"' in html
    assert 'data-label="Saint-Étienne (42218)"' in html and "communes proposées" in html
    assert "option" not in client.get(url, {"q": "s"}).content.decode()


def test_suggestions_are_for_signed_in_citizens(client):
    assert client.get(reverse("citizen:commune-suggestions"), {"q": "lyon"}).status_code == 302
