"""The document wallet in a browser: upload a PNG through the form, see it listed; every state passes axe."""

import pytest
from django.urls import reverse
from PIL import Image

from civiquest.documents.models import Document
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.CIVIQUEST_PRIVATE_ROOT = tmp_path / "private"
    settings.CIVIQUEST_CLAMD_SOCKET = ""
    settings.CIVIQUEST_CLAMD_HOST = ""


def png_file(tmp_path, name="justificatif.png"):
    path = tmp_path / name
    Image.new("RGB", (40, 30), (0, 0, 145)).save(path, format="PNG")
    return path


def test_upload_a_png_and_see_it_listed(browser_page_as, live_server, tmp_path):
    citizen = CitizenFactory()
    page = browser_page_as(citizen)
    page.goto(live_server.url + reverse("citizen:documents"))
    assert page.get_by_role("heading", level=1).inner_text() == "Mes documents"
    assert_no_violations(page)

    page.get_by_role("main").get_by_role("link", name="Ajouter un document").click()
    page.wait_for_load_state()
    assert_no_violations(page)
    page.get_by_label("Fichier").set_input_files(str(png_file(tmp_path)))
    page.get_by_role("combobox", name="Type de document").select_option("proof_of_address")
    page.get_by_label("Intitulé").fill("Facture d’électricité")
    page.get_by_label("Date de délivrance").fill("2026-02-03")
    page.get_by_role("button", name="Ajouter le document").click()
    page.wait_for_load_state()

    assert page.url.endswith(reverse("citizen:documents"))
    assert page.get_by_text("Le document « Facture d’électricité » est ajouté à vos documents.").count() == 1
    assert page.get_by_role("rowheader", name="Facture d’électricité").count() == 1
    assert page.get_by_role("link", name="Télécharger « Facture d’électricité »").count() == 1
    assert Document.objects.get(owner=citizen).content_type == "image/png"
    assert_no_violations(page)


def test_upload_form_with_errors_has_no_accessibility_violation(browser_page_as, live_server, tmp_path):
    page = browser_page_as(CitizenFactory())
    page.goto(live_server.url + reverse("citizen:document-upload"))
    # A PNG under a PDF name: refused by the content check, with the error on the file field.
    wrong = tmp_path / "faux.pdf"
    wrong.write_bytes(png_file(tmp_path).read_bytes())
    page.get_by_label("Fichier").set_input_files(str(wrong))
    page.get_by_role("combobox", name="Type de document").select_option("other")
    page.get_by_role("button", name="Ajouter le document").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le contenu du fichier ne correspond pas à son extension.").count() == 1
    assert page.get_by_label("Fichier").get_attribute("aria-invalid") == "true"
    assert_no_violations(page)

    # Nothing chosen at all: the required fields say so.
    page.get_by_role("button", name="Ajouter le document").click()
    page.wait_for_load_state()
    assert_no_violations(page)
    assert not Document.objects.exists()
