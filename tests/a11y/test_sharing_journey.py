"""Issue 19's sharing walk: a citizen shares a quest's checklist, the link opened signed out shows
nothing personal (axe at each page), the citizen revokes it, the link answers 404. Then a circle
and its invitation page, scanned."""

import pytest
from django.urls import reverse

from civiquest.actions import sharing as actions
from civiquest.documents.models import Document
from civiquest.social.services import pseudonym_choose
from civiquest.social.sharing.models import ShareLink
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def test_a_shared_checklist_shows_nothing_personal_then_is_revoked(browser_page_as, live_server, citizen, ready_quest):
    citizen.first_name, citizen.last_name, citizen.email = "Eulalie", "Vandermolen", "eulalie@example.org"
    citizen.save()
    page = browser_page_as(citizen)
    page.goto(live_server.url + reverse("citizen:quest", args=[ready_quest.pk]))
    page.get_by_role("link", name="Partager : Passeport").click()
    page.wait_for_url("**/mon-espace/partages/nouveau/**")
    assert page.locator("#id_quest").input_value() == str(ready_quest.pk)
    page.locator("label[for='id_include_ticks']").click()
    assert_no_violations(page)
    page.get_by_role("button", name="Créer le lien").click()
    page.wait_for_url("**/mon-espace/partages/")
    share = ShareLink.objects.get(owner=citizen)
    assert share.include_ticks and share.kind == "checklist"
    assert page.get_by_text("Lien créé").count() == 1
    assert_no_violations(page)

    # Opened signed out, in a new browser context.
    visitor = browser_page_as(None)
    response = visitor.goto(live_server.url + reverse("citizen:share-public", args=[share.token]))
    assert response is not None and response.status == 200
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    visitor.get_by_role("heading", name="Liste partagée : Passeport").wait_for()
    assert visitor.get_by_text("Photo d’identité").count() == 1
    html = visitor.content()
    documents = list(Document.objects.filter(owner=citizen).values_list("title", flat=True))
    personal = ["Eulalie", "Vandermolen", "eulalie@example.org", "Martin", "AB12CD34EF", ready_quest.reference]
    for value in [*personal, *documents]:
        assert value not in html, value
    assert visitor.locator('meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
    assert_no_violations(visitor)

    # The owner sees one view, then revokes the link.
    page.reload()
    assert page.locator(f"#share-{share.pk} td").nth(3).text_content().strip() == "1"
    page.get_by_role("button", name="Révoquer : Liste : Passeport").click()
    page.get_by_text("Le lien est révoqué").wait_for()
    assert_no_violations(page)

    gone = visitor.goto(live_server.url + reverse("citizen:share-public", args=[share.token]))
    assert gone is not None and gone.status == 404


def test_a_circle_and_its_invitation_pages(browser_page_as, live_server):
    owner = CitizenFactory()
    pseudonym_choose(user=owner, pseudonym="Mesange")
    circle = actions.circle_create(citizen=owner, name="Famille", kind="family")
    invitation = actions.circle_invite(citizen=owner, circle=circle)

    page = browser_page_as(owner)
    page.goto(live_server.url + reverse("citizen:circle", args=[circle.pk]))
    page.get_by_role("heading", name="Famille", exact=True).wait_for()
    assert_no_violations(page)
    page.locator("label[for='id_shows_level']").click()
    page.get_by_role("button", name="Enregistrer mes choix").click()
    page.get_by_text("Vos choix sont enregistrés.").wait_for()
    assert_no_violations(page)

    guest = browser_page_as(CitizenFactory())
    guest.goto(live_server.url + reverse("citizen:circle-join", args=[invitation.token]))
    guest.get_by_text("Mesange vous invite").wait_for()
    assert_no_violations(guest)
    guest.get_by_label("Votre pseudonyme").fill("Rouge-gorge")
    guest.get_by_role("button", name="Choisir ce pseudonyme").click()
    guest.get_by_role("button", name="Rejoindre le cercle").click()
    guest.get_by_role("heading", name="Famille", exact=True).wait_for()
    assert_no_violations(guest)
