"""A citizen's whole quest in the browser, from the catalogue to submission: axe passes on every page."""

import pytest
from django.urls import reverse

from civiquest.documents.models import DocumentType
from civiquest.quests.models import Quest
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import INSTRUCTED_STEPS, DocumentFactory, ServiceFactory, published

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def test_a_citizen_quest_from_catalogue_to_submission_passes_axe(browser_page_as, live_server):
    service = ServiceFactory(name="Mairie de Nouméa")
    published(INSTRUCTED_STEPS, service=service, slug="passeport", title="Passeport")
    citizen = CitizenFactory()
    DocumentFactory(owner=citizen, type=DocumentType.ID_PHOTO, title="Photo de mars")
    DocumentFactory(owner=citizen, type=DocumentType.PROOF_OF_ADDRESS, title="Facture EDF")
    page = browser_page_as(citizen)

    page.goto(live_server.url + reverse("citizen:catalogue"))
    assert_no_violations(page)
    page.get_by_role("link", name="Passeport").click()
    page.wait_for_load_state()
    assert_no_violations(page)

    page.get_by_role("button", name="Commencer").click()
    page.wait_for_load_state()
    quest = Quest.objects.get(citizen=citizen)
    assert_no_violations(page)  # the information step
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_load_state()

    # The form step, once with an error.
    page.get_by_label("Nom").fill("Martin")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    # Leaving the field also fires the htmx autosave: wait for the page the button leads to.
    page.get_by_text("« Date de naissance » est obligatoire.").first.wait_for()
    assert_no_violations(page)
    page.get_by_label("Date de naissance").fill("1990-05-17")
    page.get_by_text("Oui", exact=True).click()
    page.wait_for_timeout(300)
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_load_state()

    step_url = "citizen:quest-step"
    page.goto(live_server.url + reverse(step_url, kwargs={"quest_id": quest.pk, "step_slug": "pre-demande"}))
    assert_no_violations(page)
    page.get_by_label("Numéro de pré-demande").fill("AB12CD34EF")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_load_state()
    assert_no_violations(page)  # documents step
    page.locator("label", has_text="Photo de mars").click()
    page.locator("label", has_text="Facture EDF").click()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_load_state()
    assert_no_violations(page)  # checklist step

    page.goto(live_server.url + reverse("citizen:quest-review", kwargs={"quest_id": quest.pk}))
    assert_no_violations(page)
    page.get_by_role("button", name="Déposer mon dossier").click()
    page.wait_for_load_state()
    assert page.get_by_text("Votre dossier est déposé.").count() == 1
    # The ending: sent to the mairie, what comes next (a DSFR callout).
    assert page.locator("[data-ending]").get_by_text("Mairie de Nouméa", exact=False).count() == 1
    assert_no_violations(page)  # the quest page, with its stepper and timeline
    page.goto(live_server.url + reverse("citizen:quests"))
    assert_no_violations(page)
