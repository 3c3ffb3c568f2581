"""The real passport procedure with a FranceConnect identity: the holder's identity is prefilled and
locked, the home address is offered with its date and reused in one click (axe on each page)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from civiquest.integrations.address.moving.models import HomeAddress
from civiquest.quests.models import Answer, Quest
from tests.a11y.journeys import continue_to
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def test_the_passport_quest_prefills_and_locks_the_certified_identity(browser_page_as, live_server):
    call_command("catalogue_load", stdout=io.StringIO())
    citizen = CitizenFactory(
        given_names="Angela Claire Louise",
        family_name="DUBOIS",
        birthdate=dt.date(1962, 8, 24),
        birthplace="75107",
        birthcountry="99100",
        gender="female",
        identity_refreshed_at=timezone.now(),
    )
    address = {"label": "1 avenue du Maréchal Foch 98800 Nouméa", "free_entry": True}
    HomeAddress.objects.create(citizen=citizen, address=address, label=address["label"])
    page = browser_page_as(citizen)

    page.goto(live_server.url + reverse("citizen:catalogue"))
    page.get_by_role("link", name="Demander ou renouveler un passeport").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Commencer").click()
    page.wait_for_url("**/etapes/avant-de-commencer/")
    quest = Quest.objects.get(citizen=citizen)
    step = f"/mes-demarches/{quest.pk}/etapes/"
    continue_to(page, step + "situation/")
    page.get_by_text("Pour moi, j’ai 18 ans ou plus").click()
    page.get_by_text("Première demande", exact=True).click()
    continue_to(page, step + "titulaire/")

    family_name = page.get_by_label("Nom de naissance", exact=False).first
    assert family_name.input_value() == "DUBOIS"
    assert family_name.get_attribute("readonly") is not None
    assert page.get_by_label("Date de naissance", exact=False).input_value() == "1962-08-24"
    assert page.get_by_label("Commune (ou pays) de naissance", exact=False).input_value().startswith("Paris 7e")
    assert page.get_by_text("Information certifiée par FranceConnect", exact=False).count() == 4
    assert page.get_by_text("Adresse de votre profil, déclarée le", exact=False).count() == 1
    assert_no_violations(page)

    page.get_by_role("button", name="Réutiliser cette réponse pour « Adresse du domicile »").click()
    page.wait_for_url("**" + step + "titulaire/**")
    page.wait_for_load_state()
    assert page.get_by_label("Adresse du domicile", exact=False).input_value() == address["label"]
    assert_no_violations(page)
    continue_to(page, step + "pre-demande/")

    answers = {answer.field_name: answer.value for answer in Answer.objects.filter(quest=quest)}
    assert answers["nom"] == "DUBOIS" and answers["date_naissance"] == "1962-08-24"
    assert answers["adresse"]["label"] == address["label"]
