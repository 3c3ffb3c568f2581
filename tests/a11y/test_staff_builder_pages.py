"""Staff build and publish a small guided procedure in chromium; a citizen then completes it. Axe on each page."""

import re

import pytest
from django.urls import reverse

from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import Service, ServiceKind
from civiquest.catalogue.models import Procedure, ProcedureStatus
from civiquest.quests.models import Quest, QuestState
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory, StaffFactory

EDITOR_URL = re.compile(r".*/gestion/demarches/\d+/$")
pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def submit(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()


def test_staff_build_and_publish_then_a_citizen_completes(browser_page_as, live_server):
    staff = StaffFactory()
    page = browser_page_as(staff)
    page.goto(live_server.url + reverse("staff:builder-procedures"))
    assert_no_violations(page)
    page.get_by_role("link", name="Créer une démarche").click()
    page.wait_for_load_state()
    assert_no_violations(page)

    # A first try without a title: the error names the field and keeps what was typed.
    page.get_by_label("Identifiant stable").fill("inscription-club")
    page.get_by_label("Résumé").fill("S’inscrire au club de lecture de la médiathèque.")
    submit(page, "Créer la démarche")
    assert page.get_by_role("link", name="Titre : Ce champ est obligatoire.").count() == 1
    assert page.get_by_label("Identifiant stable").input_value() == "inscription-club"
    assert_no_violations(page)
    page.locator("#id_title").fill("S’inscrire au club de lecture")
    submit(page, "Créer la démarche")
    page.wait_for_url(EDITOR_URL)
    procedure = Procedure.objects.get(slug="inscription-club")
    assert_no_violations(page)

    page.get_by_role("link", name="Ajouter une étape").click()
    page.wait_for_load_state()
    assert_no_violations(page)
    page.get_by_label("Titre de l’étape").fill("Avant de commencer")
    page.get_by_label("Identifiant de l’étape").fill("avant")
    page.get_by_label("Texte affiché à l’usager").fill("Le club se réunit le mardi.")
    submit(page, "Ajouter l’étape")
    page.wait_for_url(f"**/gestion/demarches/{procedure.pk}/")

    page.get_by_role("link", name="Ajouter une étape").click()
    page.wait_for_load_state()
    page.get_by_label("Titre de l’étape").fill("Vos coordonnées")
    page.get_by_label("Identifiant de l’étape").fill("coordonnees")
    page.get_by_label("Type d’étape").select_option("form")
    submit(page, "Ajouter l’étape")
    page.wait_for_url("**/etapes/*/")
    assert_no_violations(page)

    page.get_by_role("link", name="Ajouter un champ").click()
    page.wait_for_load_state()
    assert_no_violations(page)
    page.get_by_label("Libellé du champ").fill("Votre nom")
    page.get_by_label("Nom technique").fill("nom")
    submit(page, "Ajouter le champ")
    page.wait_for_url("**/etapes/*/")
    assert page.get_by_role("link", name="Votre nom").count() == 1

    page.goto(live_server.url + reverse("staff:builder-preview", kwargs={"procedure_id": procedure.pk}))
    assert page.get_by_label("Votre nom").is_disabled()
    assert_no_violations(page)

    page.goto(live_server.url + reverse("staff:builder-procedure", kwargs={"procedure_id": procedure.pk}))
    assert_no_violations(page)
    submit(page, "Publier la révision n° 1")
    assert page.get_by_text("La révision 1 est publiée").count() == 1
    assert_no_violations(page)
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.PUBLISHED

    citizen = CitizenFactory()
    citizen_page = browser_page_as(citizen)
    citizen_page.goto(live_server.url + reverse("citizen:procedure", kwargs={"slug": "inscription-club"}))
    citizen_page.get_by_role("button", name="Commencer").click()
    citizen_page.wait_for_url("**/etapes/avant/")
    assert citizen_page.get_by_text("Le club se réunit le mardi.").count() == 1
    citizen_page.get_by_role("button", name="Enregistrer et continuer").click()
    citizen_page.wait_for_url("**/etapes/coordonnees/")
    citizen_page.get_by_label("Votre nom").fill("Dubois")
    citizen_page.get_by_role("button", name="Enregistrer et continuer").click()
    quest = Quest.objects.get(citizen=citizen)
    citizen_page.wait_for_url(f"**/mes-demarches/{quest.pk}/")
    quest.refresh_from_db()
    assert quest.state == QuestState.COMPLETED
    assert quest.answers.get(field_name="nom").value == "Dubois"

    # The overview now counts the completed quest (a new staff page: signing the citizen in ended the first).
    page = browser_page_as(staff)
    page.goto(live_server.url + reverse("staff:builder-overview", kwargs={"procedure_id": procedure.pk}))
    assert page.get_by_role("img", name="Dossiers par état").count() == 1
    assert page.get_by_role("row", name="Terminé 1").count() == 1
    assert_no_violations(page)


def test_publish_refused_services_and_audit_log_pages(browser_page_as, live_server):
    staff = StaffFactory()
    page = browser_page_as(staff)
    page.goto(live_server.url + reverse("staff:builder-procedure-create"))
    page.get_by_label("Identifiant stable").fill("vide")
    page.locator("#id_title").fill("Démarche vide")
    page.get_by_label("Résumé").fill("Sans étape.")
    submit(page, "Créer la démarche")
    page.wait_for_url(EDITOR_URL)
    submit(page, "Publier la révision n° 1")
    assert page.get_by_text("La révision n’a aucune étape.").count() == 1
    assert_no_violations(page)

    page.goto(live_server.url + reverse("staff:services"))
    submit(page, "Créer le service")
    assert page.get_by_role("link", name="Nom du service : Ce champ est obligatoire.").count() == 1
    assert_no_violations(page)
    service = Service.objects.create(name="Médiathèque", kind=ServiceKind.OTHER)
    page.goto(live_server.url + reverse("staff:service-edit", kwargs={"service_id": service.pk}))
    assert_no_violations(page)

    for index in range(55):
        audit_record(actor=staff, action="test.action", target=("test", str(index), f"Cible {index}"))
    page.goto(live_server.url + reverse("staff:audit-log"))
    assert page.get_by_role("link", name="Page suivante").count() == 1
    assert_no_violations(page)
