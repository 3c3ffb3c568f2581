"""A passport appointment booked in the real `passeport` quest, in the browser, against the ANTS sandbox."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from civiquest.appointments.models import Appointment, AppointmentStatus, CoordinationStatus
from civiquest.integrations.passport import coordination
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory
from tests.integrations.ants.helpers import future_slot, passport_quest, point
from tests.integrations.sandboxes import point_client_at

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def test_a_citizen_books_then_cancels_a_passport_appointment(browser_page_as, live_server, settings):
    call_command("catalogue_load", stdout=io.StringIO())
    # The live server hosts the ANTS sandbox; the real client talks to it over the socket.
    point_client_at(settings, coordination.SERVICE, live_server.url + "/sandbox/ants/api", TIMEOUT=4.0)
    citizen = CitizenFactory()
    quest = passport_quest(citizen, number="", birth="2010-03-15")
    noumea = point("Mairie de Nouméa", -22.2758, 166.4580)
    point("Mairie de Dumbéa", -22.15, 166.45)
    slot = future_slot(noumea, days=3, hour=10, minute=30)
    future_slot(noumea, days=3, hour=11)
    page = browser_page_as(citizen)
    step = f"/mes-demarches/{quest.pk}/etapes/"

    # The number, typed in lower case, is kept as typed and checked upper-cased.
    page.goto(live_server.url + step + "pre-demande/")
    page.get_by_label("Numéro de pré-demande").fill("ab12cd34ef")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url("**" + step + "timbre-fiscal/")
    assert page.get_by_text("Le titulaire a de 15 à 17 ans : achetez un timbre fiscal de 42 €.").count() == 1
    assert_no_violations(page)

    page.goto(live_server.url + step + "rendez-vous/")
    assert page.get_by_text("Le numéro AB12CD34EF est validé par l’ANTS").count() == 1
    assert_no_violations(page)
    # A day first (as ANTS does), then its times.
    page.locator(".fr-tag").first.click()
    page.wait_for_url("**?jour=*")
    assert_no_violations(page)
    # DSFR radios are drawn by their label, which takes the click; the time is what it says.
    page.locator(f'label[for="slot-{slot.pk}"]').click()
    assert page.locator(f"#slot-{slot.pk}").is_checked()
    page.get_by_role("button", name="Réserver ce créneau").click()
    page.wait_for_url("**/rendez-vous/*/")
    assert page.get_by_text("Votre rendez-vous est réservé").count() == 1
    expect(page.get_by_text("Mairie de Nouméa")).to_have_count(2)
    assert_no_violations(page)

    appointment = Appointment.objects.get(quest=quest)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.coordination_status == CoordinationStatus.REGISTERED
    [registered] = coordination.status_of("AB12CD34EF").appointments
    assert registered.appointment_date.endswith("10:30:00")

    # The management page ANTS links to, then the booking page its callback URL opens.
    page.goto(registered.management_url.replace(settings.CIVIQUEST_PUBLIC_URL, live_server.url))
    assert_no_violations(page)
    other = future_slot(noumea, days=4, hour=9)
    page.goto(live_server.url + reverse("citizen:appointment-book", kwargs={"slot_id": other.pk}) + "?reason=PASSPORT")
    assert page.get_by_label("Numéro de pré-demande").input_value() == "AB12CD34EF"
    assert_no_violations(page)

    # Cancelled from the quest with the keyboard: ANTS hears it too.
    page.goto(live_server.url + step + "rendez-vous/")
    page.get_by_role("button", name="Annuler ce rendez-vous").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.wait_for_selector("text=Votre rendez-vous est annulé")
    assert_no_violations(page)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert coordination.status_of("AB12CD34EF").appointments == ()
