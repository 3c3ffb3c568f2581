"""An agent exports the quests of a procedure with their answers, in chromium: a large export is
prepared in the background (Celery, inline in tests) and downloaded from "Mes exports", a small
one is downloaded at once; a form error is shown. Axe on every page."""

import csv
import io
from pathlib import Path

import pytest
import tablib
from django.urls import reverse

from civiquest.accounts.models import ServiceRole
from tests.a11y.test_axe import assert_no_violations
from tests.catalogue.factories import INSTRUCTED_STEPS, ServiceFactory, member_of, published
from tests.instruction.helpers import submitted_quest

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def test_an_agent_exports_the_answers_in_the_background_then_at_once(browser_page_as, live_server, settings):
    settings.INSTRUCTION_EXPORT_STREAM_MAX = 1
    mairie = ServiceFactory(name="Mairie de Nouméa")
    procedure, _revision = published(INSTRUCTED_STEPS, service=mairie, title="Passeport")
    quests = [submitted_quest(procedure), submitted_quest(procedure)]
    agent = member_of(mairie, ServiceRole.INSTRUCTOR)
    page = browser_page_as(agent)

    page.goto(live_server.url + reverse("agent:export"))
    assert page.get_by_role("heading", level=1).inner_text() == "Exporter les dossiers"
    assert_no_violations(page)
    page.locator("#id_demarche").select_option(str(procedure.pk))
    page.locator("#id_etat").select_option("all")
    page.get_by_text("Tableur OpenDocument (ODS)").click()
    page.get_by_role("button", name="Exporter").click()

    # Two quests, more than the threshold: prepared by the task, listed with its link.
    page.wait_for_url(live_server.url + reverse("agent:export-jobs"))
    assert "L’export de 2 dossiers est en préparation" in page.content()
    assert_no_violations(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger l’export").click()
    dataset = tablib.Dataset().load(Path(download_info.value.path()).read_bytes(), format="ods")
    assert dataset.headers[:3] == ["Numéro de dossier", "Démarche", "État"]
    assert "Nom" in dataset.headers and "Date de naissance" in dataset.headers
    names = dataset.headers.index("Nom")
    assert sorted((row[0], row[names]) for row in dataset) == sorted((quest.reference, "Martin") for quest in quests)

    # A form error is said next to its field, then a small export is downloaded at once.
    settings.INSTRUCTION_EXPORT_STREAM_MAX = 1000
    page.get_by_role("link", name="Nouvel export").click()
    page.wait_for_url(live_server.url + reverse("agent:export"))
    # The design system draws its own boxes over the inputs: the labels are what a user clicks.
    checked = [box.get_attribute("id") for box in page.locator("input[name='columns']:checked").all()]
    for box_id in checked:
        page.locator(f"label[for='{box_id}']").click()
    page.get_by_role("button", name="Exporter").click()
    page.wait_for_load_state()
    assert "corrigez les champs signalés" in page.content()
    assert_no_violations(page)
    page.get_by_text("Numéro de dossier", exact=True).click()
    page.locator("#id_demarche").select_option(str(procedure.pk))
    page.locator("#id_etat").select_option("all")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Exporter").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == ["Numéro de dossier", "Nom"]
    assert sorted(row[0] for row in rows[1:]) == sorted(quest.reference for quest in quests)
