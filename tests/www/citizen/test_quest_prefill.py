""" "Dites-le-nous une fois" on the step page: the FranceConnect identity prefilled and locked (a tampered
POST changes nothing), the home address and earlier answers offered with their date and applied only
when accepted, the citizen's identity (never the helper's) under a mandate, and bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from civiquest.catalogue.field_sources import FieldSource
from civiquest.catalogue.models import FieldKind, StepKind, Theme
from civiquest.integrations.address.moving.models import HomeAddress
from civiquest.quests.models import Answer
from civiquest.quests.services import answers_save, quest_start
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import published
from tests.social.mandate_setup import grant

FOR_ME = {"field": "pour", "op": "eq", "value": "moi"}
STEPS = [
    {
        "slug": "situation",
        "title": "Pour qui",
        "kind": StepKind.FORM,
        "fields": [
            {
                "name": "pour",
                "label": "Pour qui ?",
                "kind": FieldKind.SINGLE_CHOICE,
                "choices": [{"value": "moi", "label": "Moi"}, {"value": "enfant", "label": "Mon enfant"}],
            }
        ],
    },
    {
        "slug": "titulaire",
        "title": "Le titulaire",
        "kind": StepKind.FORM,
        "fields": [
            {
                "name": "nom",
                "label": "Nom de naissance",
                "kind": FieldKind.TEXT,
                "source": FieldSource.FAMILY_NAME,
                "source_condition": FOR_ME,
            },
            {
                "name": "prenoms",
                "label": "Prénoms",
                "kind": FieldKind.TEXT,
                "source": FieldSource.GIVEN_NAMES,
                "source_condition": FOR_ME,
            },
            {
                "name": "date_naissance",
                "label": "Date de naissance",
                "kind": FieldKind.DATE,
                "source": FieldSource.BIRTHDATE,
                "source_condition": FOR_ME,
            },
            {
                "name": "lieu_naissance",
                "label": "Commune de naissance",
                "kind": FieldKind.TEXT,
                "source": FieldSource.BIRTHPLACE,
                "source_condition": FOR_ME,
            },
            {"name": "adresse", "label": "Adresse", "kind": FieldKind.ADDRESS, "source": FieldSource.HOME_ADDRESS},
            {"name": "telephone", "label": "Téléphone", "kind": FieldKind.PHONE, "required": False},
        ],
    },
]
TAMPERED = {
    "nom": "FAUX",
    "prenoms": "Usurpé",
    "date_naissance": "2000-01-01",
    "lieu_naissance": "Ailleurs",
    "adresse": "1 rue Test 98800 Nouméa",
    "action": "continue",
}


def certified(**extra):
    """A citizen as FranceConnect signed them in (the sandbox's Angela Dubois, born in Paris 7e)."""
    return CitizenFactory(
        given_names="Angela Claire Louise",
        family_name="DUBOIS",
        birthdate=dt.date(1962, 8, 24),
        birthplace="75107",
        birthcountry="99100",
        gender="female",
        identity_refreshed_at=timezone.now(),
        **extra,
    )


@pytest.fixture
def procedure(mairie):
    found, _revision = published(STEPS, service=mairie, title="Titre d’identité", theme=Theme.PAPERS)
    return found


def step_url(quest, slug):
    return reverse("citizen:quest-step", args=[quest.pk, slug])


def for_me(quest, who="moi"):
    answers_save(quest=quest, step=quest.revision.steps.get(slug="situation"), data={"pour": who})
    return quest


def answers_of(quest):
    return {answer.field_name: answer.value for answer in Answer.objects.filter(quest=quest)}


def flat(response):
    return " ".join(response.content.decode().split())


def test_the_certified_identity_is_prefilled_locked_and_the_birthplace_named(client, procedure):
    citizen = certified()
    quest = for_me(quest_start(citizen=citizen, procedure=procedure))
    client.force_login(citizen)
    page = flat(client.get(step_url(quest, "titulaire")))
    assert 'value="DUBOIS"' in page and 'value="Angela Claire Louise"' in page and 'value="1962-08-24"' in page
    # The birthplace is the commune's name, not FranceConnect's INSEE code.
    assert 'value="Paris 7e"' in page, page  # its name in data/cog/communes.csv
    assert "75107" not in page
    assert page.count("Information certifiée par FranceConnect") == 4
    assert page.count("readonly") >= 4


def test_a_tampered_post_cannot_change_a_certified_value(client, procedure):
    citizen = certified()
    quest = for_me(quest_start(citizen=citizen, procedure=procedure))
    client.force_login(citizen)
    response = client.post(step_url(quest, "titulaire"), TAMPERED)
    assert response.status_code == 302
    answers = answers_of(quest)
    assert answers["nom"] == "DUBOIS" and answers["prenoms"] == "Angela Claire Louise"
    assert answers["date_naissance"] == "1962-08-24"
    assert answers["lieu_naissance"].startswith("Paris 7e")
    # Not a certified field: what the citizen typed.
    assert answers["adresse"]["label"] == "1 rue Test 98800 Nouméa"


def test_a_quest_for_someone_else_keeps_the_identity_fields_editable(client, procedure):
    citizen = certified()
    quest = for_me(quest_start(citizen=citizen, procedure=procedure), who="enfant")
    client.force_login(citizen)
    page = flat(client.get(step_url(quest, "titulaire")))
    assert "Information certifiée par FranceConnect" not in page and 'value="DUBOIS"' not in page
    client.post(step_url(quest, "titulaire"), TAMPERED)
    assert answers_of(quest)["nom"] == "FAUX"


def test_a_citizen_without_franceconnect_identity_gets_editable_fields(client, procedure):
    # A demo account signed in with a password: names, but nothing FranceConnect certified.
    citizen = CitizenFactory(given_names="Paul", family_name="MARTIN")
    quest = for_me(quest_start(citizen=citizen, procedure=procedure))
    client.force_login(citizen)
    page = flat(client.get(step_url(quest, "titulaire")))
    assert "Information certifiée par FranceConnect" not in page and "readonly" not in page
    client.post(step_url(quest, "titulaire"), TAMPERED)
    assert answers_of(quest)["nom"] == "FAUX"


def test_the_helper_under_a_mandate_prefills_the_citizens_identity_not_their_own(client, procedure):
    citizen = certified(first_name="Camille", last_name="Durand")
    helper = CitizenFactory(
        given_names="Hélène",
        family_name="AIDANTE",
        birthdate=dt.date(1980, 1, 1),
        identity_refreshed_at=timezone.now(),
    )
    quest = for_me(quest_start(citizen=citizen, procedure=procedure))
    grant(citizen, helper, ["papiers"])
    client.force_login(helper)
    page = flat(client.get(step_url(quest, "titulaire")))
    assert 'value="DUBOIS"' in page and 'value="AIDANTE"' not in page
    client.post(step_url(quest, "titulaire"), TAMPERED)
    answers = answers_of(quest)
    assert answers["nom"] == "DUBOIS" and answers["date_naissance"] == "1962-08-24"


def test_an_earlier_answer_is_offered_with_its_date_and_applied_only_when_accepted(client, procedure):
    citizen = CitizenFactory()
    earlier = for_me(quest_start(citizen=citizen, procedure=procedure))
    answers_save(quest=earlier, step=earlier.revision.steps.get(slug="titulaire"), data={"telephone": "0612345678"})
    Answer.objects.filter(quest=earlier, field_name="telephone").update(
        updated_at=dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)
    )
    earlier.state = "cancelled"
    earlier.save(update_fields=["state"])
    quest = for_me(quest_start(citizen=citizen, procedure=procedure))
    client.force_login(citizen)
    page = flat(client.get(step_url(quest, "titulaire")))
    assert "Réponse déjà donnée le 3 mars 2026 dans la démarche « Titre d’identité »" in page
    assert 'name="reuse" value="telephone"' in page
    # Offered, not applied: nothing is written for the new quest until the citizen accepts.
    assert "telephone" not in answers_of(quest)
    response = client.post(step_url(quest, "titulaire"), {"nom": "Martin", "reuse": "telephone"})
    assert response.status_code == 302 and response["Location"].endswith("#id_telephone")
    answers = answers_of(quest)
    assert answers["telephone"] == earlier.answers.get(field_name="telephone").value
    assert answers["nom"] == "Martin"  # what was typed beside is kept
    again = flat(client.get(step_url(quest, "titulaire")))
    assert 'name="reuse" value="telephone"' not in again


def test_an_unknown_reuse_applies_nothing(client, procedure):
    citizen = CitizenFactory()
    quest = for_me(quest_start(citizen=citizen, procedure=procedure))
    client.force_login(citizen)
    client.post(step_url(quest, "titulaire"), {"reuse": "telephone", "telephone": ""})
    assert answers_of(quest) == {"pour": "moi"}  # the first step's answer only: no telephone


def test_the_home_address_is_offered_with_its_date(client, procedure):
    citizen = certified()
    address = {"label": "12 rue Jean Jaurès 98800 Nouméa", "free_entry": True}
    HomeAddress.objects.create(citizen=citizen, address=address, label=address["label"])
    quest = for_me(quest_start(citizen=citizen, procedure=procedure))
    client.force_login(citizen)
    page = flat(client.get(step_url(quest, "titulaire")))
    assert "Adresse de votre profil, déclarée le" in page and "12 rue Jean Jaurès 98800 Nouméa" in page
    assert "adresse" not in answers_of(quest)
    client.post(step_url(quest, "titulaire"), {"reuse": "adresse"})
    assert answers_of(quest)["adresse"]["label"] == "12 rue Jean Jaurès 98800 Nouméa"
    # Certified values are saved with it, whatever was (not) posted.
    assert answers_of(quest)["nom"] == "DUBOIS"


@pytest.mark.parametrize("count", [1, 10])
def test_the_step_page_reads_earlier_answers_in_one_query(client, procedure, count, django_assert_max_num_queries):
    citizen = certified()
    HomeAddress.objects.create(citizen=citizen, address={"label": "1 rue A", "free_entry": True}, label="1 rue A")
    for _index in range(count):
        earlier = for_me(quest_start(citizen=citizen, procedure=procedure))
        answers_save(
            quest=earlier, step=earlier.revision.steps.get(slug="titulaire"), data={"telephone": "0612345678"}
        )
        earlier.state = "cancelled"
        earlier.save(update_fields=["state"])
    quest = for_me(quest_start(citizen=citizen, procedure=procedure))
    client.force_login(citizen)
    # The step page's 13 (see test_quest_pages), plus the home address and the earlier answers.
    with django_assert_max_num_queries(15):
        response = client.get(step_url(quest, "titulaire"))
    assert response.status_code == 200


def test_an_autosave_that_makes_the_identity_apply_shows_it_locked(client, procedure):
    citizen = certified()
    quest = for_me(quest_start(citizen=citizen, procedure=procedure))
    client.force_login(citizen)
    response = client.post(step_url(quest, "titulaire"), {"nom": "Autre"}, HTTP_HX_REQUEST="true")
    content = flat(response)
    assert 'hx-swap-oob="true"' in content and 'value="DUBOIS"' in content
    assert answers_of(quest)["nom"] == "DUBOIS"
    # Once shown locked, an autosave leaves the fields alone.
    quiet = flat(
        client.post(
            step_url(quest, "titulaire"),
            {
                **answers_of(quest),
                "lieu_naissance": answers_of(quest)["lieu_naissance"],
                "prenoms": "Angela Claire Louise",
                "date_naissance": "1962-08-24",
            },
            HTTP_HX_REQUEST="true",
        )
    )
    assert "hx-swap-oob" not in quiet


def test_a_wallet_document_is_offered_with_the_day_it_was_added(client, mairie):
    from tests.catalogue.factories import DocumentFactory  # noqa: PLC0415

    procedure, _revision = published(
        [{"slug": "pieces", "title": "Pièces", "kind": StepKind.DOCUMENTS, "document_types": ["proof_of_address"]}],
        service=mairie,
    )
    citizen = CitizenFactory()
    document = DocumentFactory(owner=citizen, type="proof_of_address", title="Facture d’octobre")
    type(document).objects.filter(pk=document.pk).update(created_at=dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC))
    quest = quest_start(citizen=citizen, procedure=procedure)
    client.force_login(citizen)
    assert "Facture d’octobre, ajouté le 3 mars 2026" in flat(client.get(step_url(quest, "pieces")))
