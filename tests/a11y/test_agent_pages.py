"""The instruction journey in the browser, on the real `passeport` of the catalogue: a citizen
submits, an agent of the mairie asks to correct two answers (the photo, the first names), the
citizen sees those two only opened again and resubmits, the agent is told ("nouveau", a
notification), reads the diff and accepts, the citizen downloads the attestation, and the
service's export holds every answer. Axe on every page."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from civiquest.accounts.models import Service, ServiceMembership, ServiceRole
from civiquest.documents.models import DocumentType
from civiquest.instruction.models import Attestation, ChangeRequest
from civiquest.quests.models import Quest, QuestDocument, QuestState
from tests.a11y.journeys import continue_to
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import AgentFactory, CitizenFactory, login_verified
from tests.catalogue.factories import DocumentFactory
from tests.instruction.test_exports import read_back

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def png_bytes(color=(200, 180, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (35, 45), color).save(buffer, format="PNG")
    return buffer.getvalue()


def add_photo(page, tmp_path, title: str, color) -> None:
    page.get_by_role("link", name="Ajouter un document à mon porte-documents").click()
    page.wait_for_url("**/mon-espace/documents/ajouter/**")
    page.locator("#id_type").select_option(DocumentType.ID_PHOTO)
    page.locator("#id_title").fill(title)
    photo = tmp_path / f"{color[0]}.png"
    photo.write_bytes(png_bytes(color))
    page.locator('input[type="file"]').set_input_files(str(photo))
    page.get_by_role("button", name="Ajouter le document").click()


def ask_correction(desk, label: str, comment: str) -> None:
    """Open "Demander une correction" under an answer of the dossier page and write the comment."""
    desk.locator("summary", has_text=f"Demander une correction : {label}").click()
    desk.get_by_label(f"Ce qui est à corriger dans « {label} »").fill(comment)


def page_for(browser, live_server, user):
    """A page signed in as ``user`` with its own session (``browser_page_as`` shares one client,
    and a second sign-in there would end the first user's session)."""
    client = Client()
    login_verified(client, user)
    context = browser.new_context(locale="fr-FR")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url, "httpOnly": True}]
    )
    return context


def test_corrections_on_two_answers_then_the_diff_acceptance_attestation_and_export(
    browser, browser_page_as, live_server, tmp_path, settings
):
    call_command("catalogue_load", stdout=io.StringIO())
    mairie = Service.objects.get(name="Mairie de Nouméa")
    agent = AgentFactory(first_name="Léa", last_name="Instructrice")
    ServiceMembership.objects.create(user=agent, service=mairie, role=ServiceRole.INSTRUCTOR)
    citizen = CitizenFactory(first_name="Angela", last_name="Dubois")
    DocumentFactory(owner=citizen, type=DocumentType.PROOF_OF_ADDRESS, title="Facture d’électricité d’octobre")
    page = browser_page_as(citizen)

    # The citizen submits a passport quest.
    page.goto(live_server.url + reverse("citizen:procedure", args=["passeport"]))
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
    add_photo(page, tmp_path, "Photo floue", (200, 180, 160))
    page.wait_for_url("**" + step + "pieces/")
    page.locator("label", has_text="Photo floue").click()
    page.locator("label", has_text="Facture d’électricité d’octobre").click()
    continue_to(page, step + "rendez-vous/")
    continue_to(page, step + "preparer/")
    for label in page.locator(".fr-checkbox-group label").all():
        label.click()
    continue_to(page, f"/mes-demarches/{quest.pk}/recapitulatif/")
    page.get_by_role("button", name="Déposer mon dossier").click()
    page.wait_for_url(f"**/mes-demarches/{quest.pk}/")
    quest.refresh_from_db()
    assert quest.state == QuestState.SUBMITTED

    # The agent finds it in the inbox and asks to correct two answers, each with its comment.
    desk_context = page_for(browser, live_server, agent)
    desk = desk_context.new_page()
    desk.goto(live_server.url + reverse("agent:home"))
    assert_no_violations(desk)
    desk.get_by_role("link", name=quest.reference).click()
    desk.wait_for_url(f"**/agent/dossiers/{quest.pk}/")
    assert_no_violations(desk)
    ask_correction(desk, "Photo d’identité", "La photo est floue : merci d’en fournir une nette.")
    ask_correction(desk, "Prénoms", "Il manque votre troisième prénom.")
    desk.locator("summary", has_text="Demander des corrections").click()
    desk.get_by_role("button", name="Envoyer la demande de corrections").click()
    desk.wait_for_load_state()
    quest.refresh_from_db()
    assert quest.state == QuestState.CHANGES_REQUESTED
    assert ChangeRequest.objects.get(quest=quest).comments == {
        "pieces.id_photo": "La photo est floue : merci d’en fournir une nette.",
        "prenoms": "Il manque votre troisième prénom.",
    }
    assert_no_violations(desk)

    # The citizen sees those two answers only opened again, each with the comment beside it.
    page.goto(live_server.url + reverse("citizen:quest", args=[quest.pk]))
    expect(page.get_by_text("Il manque votre troisième prénom.")).to_have_count(1)
    assert_no_violations(page)
    page.goto(live_server.url + step + "titulaire/")
    assert page.get_by_label("Nom de naissance").count() == 0  # read as given, not an input
    assert page.get_by_text("Dubois", exact=True).count() == 1
    expect(page.get_by_label("Prénoms")).to_be_editable()
    expect(page.get_by_text("Il manque votre troisième prénom.")).to_have_count(2)
    assert_no_violations(page)
    page.get_by_label("Prénoms").fill("Angela Claire Louise Marie")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(lambda url: not url.endswith("/titulaire/"))
    page.goto(live_server.url + step + "pieces/")
    expect(page.get_by_text("La photo est floue")).to_have_count(2)
    assert page.locator("label", has_text="Facture d’électricité d’octobre").count() == 0
    add_photo(page, tmp_path, "Photo nette", (20, 40, 60))
    page.wait_for_url("**" + step + "pieces/")
    page.locator("label", has_text="Photo nette").click()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(lambda url: not url.endswith("/pieces/"))
    page.goto(live_server.url + reverse("citizen:quest-review", args=[quest.pk]))
    page.get_by_role("button", name="Déposer mon dossier").click()
    page.wait_for_url(f"**/mes-demarches/{quest.pk}/")
    quest.refresh_from_db()
    assert quest.state == QuestState.SUBMITTED
    assert "Photo nette" in set(QuestDocument.objects.filter(quest=quest).values_list("document__title", flat=True))

    # The agent is told: "nouveau" in the inbox and a notification.
    desk.goto(live_server.url + reverse("agent:home"))
    expect(desk.locator("tr", has_text=quest.reference).get_by_text("Nouveau", exact=True)).to_have_count(1)
    desk.goto(live_server.url + reverse("agent:notifications"))
    expect(desk.get_by_text(quest.reference).first).to_be_visible()
    assert_no_violations(desk)

    # The dossier page shows what changed, answer by answer; the agent accepts, confirming it.
    desk.goto(live_server.url + reverse("agent:quest", args=[quest.pk]))
    changes = desk.locator("#corrections tbody tr")
    expect(changes).to_have_count(2)
    first_names = changes.filter(has_text="Prénoms")
    expect(first_names).to_contain_text("Angela Claire Louise Marie")
    expect(first_names).to_contain_text("Modifiée")
    expect(changes.filter(has_text="Photo d’identité")).to_contain_text("Photo nette")
    assert_no_violations(desk)
    desk.locator("summary", has_text="Accepter").click()
    desk.locator("details[open] label", has_text="Je confirme cette décision").click()
    desk.get_by_role("button", name="Valider l’acceptation").click()
    desk.wait_for_load_state()
    quest.refresh_from_db()
    assert quest.state == QuestState.ACCEPTED
    assert_no_violations(desk)

    # An export of the service, read back with the project's own reader, has every answer.
    desk.goto(live_server.url + reverse("agent:export"))
    assert_no_violations(desk)
    desk.get_by_role("combobox", name="Démarche").select_option(label=quest.procedure.title)
    desk.get_by_role("combobox", name="État").select_option(label="Tous les états")
    desk.get_by_label("CSV").check()
    with desk.expect_download() as exported:
        desk.get_by_role("button", name="Exporter").click()
    rows = read_back("csv", open(exported.value.path(), "rb").read())
    exported_quest = next(dict(zip(rows[0], row, strict=True)) for row in rows if quest.reference in row)
    assert exported_quest["Prénoms"] == "Angela Claire Louise Marie", rows[0]
    assert exported_quest["Nom de naissance"] == "Dubois"

    # The citizen downloads the attestation; anyone can check its code.
    page.goto(live_server.url + reverse("citizen:quest-messages", args=[quest.pk]))
    assert_no_violations(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger l’attestation (PDF)").click()
    path = download_info.value.path()
    assert open(path, "rb").read(4) == b"%PDF"
    code = Attestation.objects.get(quest=quest).code
    anonymous = browser.new_page(locale="fr-FR")  # closed below
    anonymous.goto(live_server.url + reverse("citizen:attestation-verify") + f"?code={code}")
    assert anonymous.get_by_text("Cette attestation est authentique").count() == 1
    assert_no_violations(anonymous)
    anonymous.close()

    desk_context.close()
