"""The mandate walk in chromium, every page checked by axe-core: a citizen signed in with
FranceConnect gives a helper a one-day "papiers" mandate (re-authenticating at the sandbox);
the helper opens the citizen's passport quest and completes a step; the agent reads "pour le
compte de"; the helper cannot open the tax quest nor a document outside the domain; the
citizen revokes and the helper's next request is a 404. (Expiry: tests/social/test_mandates_access.py.)"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from civiquest.accounts.models import ServiceRole
from civiquest.actions.mandates import helper_code_get, structure_create, structure_member_add
from civiquest.actions.quests import quest_start, quest_submit
from civiquest.catalogue.models import Theme
from civiquest.documents.models import DocumentType
from civiquest.quests.models import StepProgress
from civiquest.social.mandates.models import JournalAction, Mandate, MandateJournalEntry
from tests.a11y.test_axe import assert_no_violations
from tests.a11y.test_privacy_journey import IDENTITY, sign_up_with_franceconnect
from tests.accounts.factories import CitizenFactory, StaffFactory
from tests.accounts.oidc.flow import point_providers_at
from tests.catalogue.factories import INSTRUCTED_STEPS, DocumentFactory, ServiceFactory, member_of, published
from tests.quests.fixtures import fill

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _providers_on_live_server(settings, live_server):
    point_providers_at(settings, live_server.url)


def test_a_citizen_mandates_a_helper_for_papiers_then_revokes(browser_page_as, live_server, client):
    page = browser_page_as(None)
    citizen = sign_up_with_franceconnect(page, live_server)
    mairie = ServiceFactory(name="Mairie de Nouméa")
    passport, _ = published(
        INSTRUCTED_STEPS, service=mairie, slug="passeport-aidant", title="Passeport", theme=Theme.PAPERS
    )
    taxes, _ = published(
        INSTRUCTED_STEPS, service=mairie, slug="impots-aidant", title="Impôt sur le revenu", theme=Theme.MONEY
    )
    passport_quest = quest_start(citizen=citizen, procedure=passport)
    tax_quest = quest_start(citizen=citizen, procedure=taxes)
    passport_doc = DocumentFactory(owner=citizen, type=DocumentType.PASSPORT, title="Mon passeport")
    tax_doc = DocumentFactory(owner=citizen, type=DocumentType.TAX_NOTICE, title="Avis 2025")
    helper = CitizenFactory(first_name="Hélène", last_name="Aidante")
    code = helper_code_get(user=helper).code

    # The citizen gives the mandate: FranceConnect confirms who is at the keyboard first.
    page.goto(live_server.url + reverse("citizen:mandates"))
    assert_no_violations(page)
    page.get_by_role("link", name="Donner un mandat à un aidant").click()
    page.wait_for_url(live_server.url + reverse("citizen:mandate-new"))
    assert_no_violations(page)
    page.get_by_label("Code de votre aidant").fill(code)
    page.get_by_text("Papiers, citoyenneté, élections").click()
    page.get_by_text("1 jour", exact=True).click()
    page.get_by_role("button", name="Continuer avec FranceConnect").click()
    page.wait_for_url(re.compile(r".*/sandbox/franceconnect/api/v2/authorize\?.*prompt=login.*"))
    page.get_by_role("button", name=IDENTITY).click()
    page.wait_for_url(re.compile(re.escape(live_server.url + reverse("citizen:mandate-new")) + r"\?.*"))
    assert not Mandate.objects.exists()
    assert page.get_by_label("Code de votre aidant").input_value() == code
    assert_no_violations(page)
    page.get_by_role("button", name="Confirmer et donner le mandat").click()
    page.wait_for_url(live_server.url + reverse("citizen:mandates"))
    mandate = Mandate.objects.get()
    assert mandate.domains == ["papiers"] and mandate.duration_days == 1 and mandate.helper == helper
    expect(page.get_by_text("Hélène Aidante")).to_have_count(4)
    assert_no_violations(page)

    # The helper opens the passport quest from their page and completes a step.
    desk = browser_page_as(helper)
    desk.goto(live_server.url + reverse("citizen:helper-space"))
    assert desk.get_by_text("Mon passeport").count() == 1 and desk.get_by_text("Avis 2025").count() == 0
    assert_no_violations(desk)
    desk.get_by_role("link", name="Passeport", exact=True).click()
    desk.wait_for_url(f"**/mes-demarches/{passport_quest.pk}/")
    assert_no_violations(desk)
    desk.goto(live_server.url + reverse("citizen:quest-step", args=[passport_quest.pk, "identite"]))
    desk.get_by_label("Nom").fill("Dubois")
    desk.get_by_label("Date de naissance").fill("1962-08-24")
    desk.get_by_text("Oui", exact=True).first.click()
    desk.get_by_role("button", name="Enregistrer et continuer").click()
    desk.wait_for_load_state()
    assert StepProgress.objects.filter(quest=passport_quest, step__slug="identite", done_at__isnull=False).exists()

    # Outside the domain: the tax quest and the tax notice are 404s.
    response = desk.goto(live_server.url + reverse("citizen:quest", args=[tax_quest.pk]))
    assert response is not None and response.status == 404
    response = desk.request.get(live_server.url + reverse("citizen:helper-document", args=[tax_doc.pk]))
    assert response.status == 404
    response = desk.request.get(live_server.url + reverse("citizen:helper-document", args=[passport_doc.pk]))
    assert response.status == 200

    # The citizen reads the journal, then revokes.
    page.goto(live_server.url + reverse("citizen:mandate-journal", args=[mandate.pk]))
    # Each save (the autosave of each field, then "Enregistrer et continuer") is a line: how
    # many autosaves ran depends on the typing's pace, so the journal is read back against its rows.
    saves = MandateJournalEntry.objects.filter(mandate=mandate, action=JournalAction.STEP_SAVED).count()
    assert saves >= 1  # "Enregistrer et continuer" at least; the page must not show an empty journal
    expect(page.get_by_text("Étape enregistrée")).to_have_count(saves)
    assert_no_violations(page)
    page.goto(live_server.url + reverse("citizen:mandates"))
    page.get_by_role("button", name=re.compile("^Révoquer")).click()
    page.wait_for_url(live_server.url + reverse("citizen:mandates"))
    expect(page.get_by_text("Révoqué", exact=True)).to_have_count(1)

    # The helper's very next request is refused.
    response = desk.goto(live_server.url + reverse("citizen:quest", args=[passport_quest.pk]))
    assert response is not None and response.status == 404
    response = desk.request.get(live_server.url + reverse("citizen:helper-document", args=[passport_doc.pk]))
    assert response.status == 404

    # The agent later reads, on the submitted quest, what the helper did for the citizen.
    quest_submit(quest=fill(passport_quest), actor=citizen)
    agent = member_of(mairie, ServiceRole.INSTRUCTOR)
    client.force_login(agent)
    text = " ".join(client.get(reverse("agent:quest", args=[passport_quest.pk])).content.decode().split())
    assert "pour le compte de" in text and "Hélène Aidante" in text


def test_the_structure_pages_pass_axe(browser_page_as, live_server):
    staff = StaffFactory()
    actor = CitizenFactory()
    manager = CitizenFactory()
    structure = structure_create(actor=actor, name="France Services Nord", kind="france_services")
    structure_member_add(actor=actor, structure=structure, user=manager, role="manager")
    admin = browser_page_as(staff)
    admin.goto(live_server.url + reverse("staff:structure", args=[structure.pk]))
    assert admin.get_by_role("heading", level=1).inner_text() == "France Services Nord"
    assert_no_violations(admin)
    desk = browser_page_as(manager)
    desk.goto(live_server.url + reverse("citizen:structure-mandates", args=[structure.pk]))
    assert_no_violations(desk)
