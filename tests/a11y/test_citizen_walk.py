"""Issue 20's walk, as one citizen in one browser session, in French then in English (the language
chosen with the header's selector, remembered on every page): sign in with the FranceConnect
sandbox and pass the display choice; the passport quest from the catalogue, the identity
prefilled from FranceConnect and locked; a slot booked with the picker against the ANTS sandbox,
the confirmation page; the appointment seen on the quest, "Mes démarches" and the dashboard, then
cancelled (ANTS told); the electoral roll quest, its commune chosen by name. axe on every page."""

import re
import secrets

import pytest
from django.urls import reverse
from django.utils import translation

from civiquest.actions.catalogue import catalogue_load
from civiquest.appointments.calendar import when_label
from civiquest.appointments.models import Appointment, AppointmentStatus, CoordinationStatus
from civiquest.catalogue.definitions.listes_electorales import INSCRIPTION_LISTES_ELECTORALES
from civiquest.catalogue.definitions.passeport import PASSEPORT
from civiquest.documents.models import DocumentType
from civiquest.integrations.passport import coordination
from civiquest.quests.models import Quest
from tests.a11y.journeys import continue_to, sign_up_with_franceconnect, switch_to_english
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.oidc.flow import point_providers_at
from tests.catalogue.factories import DocumentFactory
from tests.integrations.ants.helpers import future_slot, point
from tests.integrations.sandboxes import point_client_at

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]

# The interface's words the walk looks for; the procedures' own texts stay French in both.
TEXTS = {
    "fr": {
        "start": "Commencer",
        "certified": "Information certifiée par FranceConnect",
        "book": "Réserver ce créneau",
        "confirmed": "Votre rendez-vous est confirmé",
        "upcoming": "Rendez-vous le {when}, {place}",
        "manage": "Voir, modifier ou annuler",
        "cancel": "Annuler ce rendez-vous",
        "confirm_cancel": "Confirmer l’annulation",
        "cancelled": "Ce rendez-vous est annulé",
    },
    "en": {
        "start": "Start",
        "certified": "Information certified by FranceConnect",
        "book": "Book this time slot",
        "confirmed": "Your appointment is confirmed",
        "upcoming": "Appointment on {when}, {place}",
        "manage": "View, change or cancel",
        "cancel": "Cancel this appointment",
        "confirm_cancel": "Confirm the cancellation",
        "cancelled": "This appointment is cancelled",
    },
}
TOWN_HALL = "Mairie de Nouméa"
WALLET = {
    "Photo d’identité de novembre": DocumentType.ID_PHOTO,
    "Facture d’électricité d’octobre": DocumentType.PROOF_OF_ADDRESS,
}


@pytest.fixture(autouse=True)
def _sandboxes_on_live_server(settings, live_server):
    """FranceConnect and the ANTS coordination API: the sandboxes the live server hosts, over a socket."""
    point_providers_at(settings, live_server.url)
    point_client_at(settings, coordination.SERVICE, live_server.url + "/sandbox/ants/api", TIMEOUT=4.0)


def seen(page, lang: str) -> None:
    """Every page of the walk: in the chosen language, and no axe violation."""
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang, page.url
    assert_no_violations(page)


def start_from_catalogue(page, live_server, lang: str, definition) -> Quest:
    page.goto(live_server.url + reverse("citizen:catalogue"))
    seen(page, lang)
    page.get_by_role("link", name=definition.title).click()
    page.wait_for_url(live_server.url + reverse("citizen:procedure", args=[definition.slug]))
    seen(page, lang)
    page.get_by_role("button", name=TEXTS[lang]["start"], exact=True).click()
    page.wait_for_url(f"**/etapes/{definition.steps[0]['slug']}/")
    seen(page, lang)
    return Quest.objects.get(procedure__slug=definition.slug)


def passport_up_to_the_appointment_step(page, live_server, lang: str, number: str) -> Quest:
    quest = start_from_catalogue(page, live_server, lang, PASSEPORT)
    step = f"/mes-demarches/{quest.pk}/etapes/"
    continue_to(page, step + "situation/", lang)
    seen(page, lang)
    page.get_by_text("Pour moi, j’ai 18 ans ou plus").click()
    page.get_by_text("Première demande", exact=True).click()
    continue_to(page, step + "titulaire/", lang)
    seen(page, lang)

    # The FranceConnect identity, prefilled and locked, said to be certified.
    for label, value in (
        ("Nom de naissance", "DUBOIS"),
        ("Prénoms", "Angela Claire Louise"),
        ("Date de naissance", "1962-08-24"),
    ):
        field = page.get_by_label(label, exact=False).first
        assert field.input_value() == value, label
        assert field.get_attribute("readonly") is not None, label
    birthplace = page.get_by_label("Commune (ou pays) de naissance", exact=False)
    assert birthplace.input_value().startswith("Paris 7e")
    assert birthplace.get_attribute("readonly") is not None
    assert page.get_by_text(TEXTS[lang]["certified"], exact=False).count() == 4
    page.get_by_label("Adresse du domicile", exact=False).fill("1 avenue du Maréchal Foch, 98800 Nouméa")
    continue_to(page, step + "pre-demande/", lang)
    seen(page, lang)

    page.get_by_label("Numéro de pré-demande").fill(number)
    continue_to(page, step + "timbre-fiscal/", lang)
    seen(page, lang)
    page.get_by_label("Numéro du timbre fiscal électronique").fill("1234567890123456")
    continue_to(page, step + "pieces/", lang)
    seen(page, lang)
    # The documents, from the wallet (DSFR checkboxes are drawn by their label, which takes the click).
    for title in WALLET:
        page.locator("label", has_text=title).click()
    continue_to(page, step + "rendez-vous/", lang)
    seen(page, lang)
    answers = {answer.field_name: answer.value for answer in quest.answers.all()}
    assert answers["nom"] == "DUBOIS" and answers["date_naissance"] == "1962-08-24"
    return quest


def book_with_the_picker(page, lang: str, slot) -> Appointment:
    """A day first, then its times; the booking lands on the confirmation page."""
    page.locator(".fr-tag").first.click()
    page.wait_for_url("**?jour=*")
    seen(page, lang)
    page.locator(f'label[for="slot-{slot.pk}"]').click()
    page.get_by_role("button", name=TEXTS[lang]["book"]).click()
    page.wait_for_url("**/rendez-vous/*/")
    appointment = Appointment.objects.get(slot=slot)
    assert page.url.endswith(reverse("citizen:appointment-confirmation", args=[appointment.pk]))
    assert page.get_by_role("heading", level=1).inner_text() == TEXTS[lang]["confirmed"]
    seen(page, lang)
    return appointment


def where_the_appointment_shows(live_server, quest) -> list[str]:
    paths = (reverse("citizen:quest", args=[quest.pk]), reverse("citizen:quests"), reverse("citizen:dashboard"))
    return [live_server.url + path for path in paths]


def electoral_roll_commune_by_name(page, live_server, lang: str) -> None:
    quest = start_from_catalogue(page, live_server, lang, INSCRIPTION_LISTES_ELECTORALES)
    step = f"/mes-demarches/{quest.pk}/etapes/"
    continue_to(page, step + "commune/", lang)
    seen(page, lang)
    combobox = page.get_by_role("combobox", name="Commune où vous voulez voter")
    combobox.press_sequentially("st etienne", delay=20)
    option = page.get_by_role("option", name="Saint-Étienne (42218)")
    option.wait_for()
    assert combobox.get_attribute("aria-expanded") == "true"
    seen(page, lang)
    option.click()
    assert combobox.input_value() == "Saint-Étienne (42218)"
    continue_to(page, step + "pieces/", lang)
    seen(page, lang)
    assert quest.answers.get(field_name="commune").value["code"] == "42218"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_citizen_walks_from_sign_in_to_a_cancelled_appointment_and_the_electoral_roll(
    browser_page_as, live_server, lang
):
    catalogue_load([PASSEPORT, INSCRIPTION_LISTES_ELECTORALES])
    noumea = point(TOWN_HALL, -22.2758, 166.4580)
    slot = future_slot(noumea, days=3, hour=9, minute=30)
    future_slot(noumea, days=4, hour=11)
    # A number of its own: the ANTS sandbox keeps its appointments in the shared cache.
    number = "WK" + secrets.token_hex(4).upper()
    texts = TEXTS[lang]
    page = browser_page_as(None)

    page.goto(live_server.url + reverse("citizen:home"))
    seen(page, "fr")
    if lang == "en":
        switch_to_english(page)
        seen(page, lang)
    citizen = sign_up_with_franceconnect(page, live_server, lang)
    seen(page, lang)
    for title, kind in WALLET.items():
        DocumentFactory(owner=citizen, type=kind, title=title)

    quest = passport_up_to_the_appointment_step(page, live_server, lang, number)
    appointment = book_with_the_picker(page, lang, slot)
    with translation.override(lang):
        when = when_label(appointment)
    assert page.get_by_text(re.compile(re.escape(when), re.IGNORECASE)).count() == 1
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.coordination_status == CoordinationStatus.REGISTERED
    assert len(coordination.status_of(number).appointments) == 1

    upcoming = texts["upcoming"].format(when=when, place=TOWN_HALL)
    for url in where_the_appointment_shows(live_server, quest):
        page.goto(url)
        seen(page, lang)
        assert page.get_by_text(upcoming).count() == 1, url

    # Cancelled from the dashboard's link, with a confirmation step.
    page.goto(live_server.url + reverse("citizen:dashboard"))
    page.get_by_role("link", name=texts["manage"]).click()
    page.wait_for_url("**" + reverse("citizen:appointment-confirmation", args=[appointment.pk]))
    seen(page, lang)
    page.get_by_role("link", name=texts["cancel"]).click()
    page.wait_for_url("**/annuler/")
    seen(page, lang)
    page.get_by_role("button", name=texts["confirm_cancel"]).click()
    page.get_by_text(texts["cancelled"]).first.wait_for()
    seen(page, lang)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.coordination_status == CoordinationStatus.DELETED
    assert coordination.status_of(number).appointments == ()
    for url in where_the_appointment_shows(live_server, quest):
        page.goto(url)
        seen(page, lang)
        assert page.get_by_text(upcoming).count() == 0, url

    electoral_roll_commune_by_name(page, live_server, lang)
