"""The real `passeport` procedure of the catalogue, done in the browser with documents from the wallet."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from civiquest.documents.models import DocumentType
from civiquest.quests.models import Quest, QuestDocument, QuestState
from tests.a11y.journeys import continue_to
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import DocumentFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (35, 45), (200, 180, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_passport_quest_with_wallet_documents_up_to_submission(browser_page_as, live_server, tmp_path):
    call_command("catalogue_load", stdout=io.StringIO())
    citizen = CitizenFactory()
    DocumentFactory(owner=citizen, type=DocumentType.PROOF_OF_ADDRESS, title="Facture d’électricité d’octobre")
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

    page.get_by_label("Nom de naissance").fill("Dubois")
    page.get_by_label("Prénoms").fill("Angela Claire Louise")
    page.get_by_label("Date de naissance").fill("1962-08-24")
    page.get_by_label("Commune (ou pays) de naissance").fill("Nouméa")
    page.get_by_label("Adresse du domicile").fill("1 avenue du Maréchal Foch, 98800 Nouméa")
    continue_to(page, step + "pre-demande/")

    page.get_by_label("Numéro de pré-demande").fill("AB12CD34EF")
    continue_to(page, step + "timbre-fiscal/")
    page.get_by_label("Numéro du timbre fiscal électronique").fill("1234567890123456")
    continue_to(page, step + "pieces/")

    # The documents step: the proof of address is in the wallet, the photo is not yet.
    assert_no_violations(page)
    assert page.get_by_label("Facture d’électricité d’octobre").count() == 1
    page.get_by_role("link", name="Ajouter un document à mon porte-documents").click()
    page.wait_for_url("**/mon-espace/documents/ajouter/**")
    assert_no_violations(page)
    page.locator("#id_type").select_option(DocumentType.ID_PHOTO)
    page.locator("#id_title").fill("Photo d’identité de novembre")
    photo = tmp_path / "photo.png"
    photo.write_bytes(png_bytes())
    page.locator('input[type="file"]').set_input_files(str(photo))
    page.get_by_role("button", name="Ajouter le document").click()
    page.wait_for_url("**" + step + "pieces/")
    # DSFR radios and checkboxes are drawn by their label, which takes the click.
    page.locator("label", has_text="Photo d’identité de novembre").click()
    page.locator("label", has_text="Facture d’électricité d’octobre").click()
    continue_to(page, step + "rendez-vous/")

    assert_no_violations(page)
    continue_to(page, step + "preparer/")
    for label in page.locator(".fr-checkbox-group label").all():
        label.click()
    continue_to(page, f"/mes-demarches/{quest.pk}/recapitulatif/")

    assert_no_violations(page)
    assert page.get_by_text("Photo d’identité de novembre").count() == 1
    page.get_by_role("button", name="Déposer mon dossier").click()
    page.wait_for_url(f"**/mes-demarches/{quest.pk}/")
    assert page.get_by_text("Votre dossier est déposé.").count() == 1
    assert_no_violations(page)

    quest.refresh_from_db()
    assert quest.state == QuestState.SUBMITTED
    given = set(QuestDocument.objects.filter(quest=quest).values_list("document__title", flat=True))
    assert given == {"Photo d’identité de novembre", "Facture d’électricité d’octobre"}

    # The citizen is told, in their notification centre.
    page.goto(live_server.url + reverse("citizen:notifications"))
    assert page.get_by_text(f"Votre dossier {quest.reference} a été déposé").count() == 1
    assert_no_violations(page)
