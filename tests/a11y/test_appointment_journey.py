"""Issue 20, appointments everywhere: book, confirmation, seen on the quest, "Mes démarches", the dashboard, cancel."""

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


def test_book_see_everywhere_then_cancel(browser_page_as, live_server, settings):
    call_command("catalogue_load", stdout=io.StringIO())
    point_client_at(settings, coordination.SERVICE, live_server.url + "/sandbox/ants/api", TIMEOUT=4.0)
    citizen = CitizenFactory()
    quest = passport_quest(citizen)
    noumea = point("Mairie de Nouméa", -22.2758, 166.4580, public_entry_address="16 rue du Général Mangin")
    slot = future_slot(noumea, days=3, hour=9, minute=30)
    future_slot(noumea, days=4, hour=11)
    page = browser_page_as(citizen)

    # The picker: days first, then the times of the chosen day, one primary action.
    page.goto(live_server.url + reverse("citizen:quest-step", args=[quest.pk, "rendez-vous"]))
    assert page.locator('input[name="slot"]').count() == 0
    page.locator(".fr-tag").first.click()
    page.wait_for_url("**?jour=*")
    assert page.locator('input[name="slot"]').count() == 1
    assert_no_violations(page)
    page.locator(f'label[for="slot-{slot.pk}"]').click()
    page.get_by_role("button", name="Réserver ce créneau").click()

    # The confirmation page: what, where, when (in French), what to bring, change or cancel.
    appointment = Appointment.objects.get(quest=quest)
    page.wait_for_url("**" + reverse("citizen:appointment-confirmation", args=[appointment.pk]))
    assert page.get_by_role("heading", name="Votre rendez-vous est confirmé").count() == 1
    assert page.get_by_text("16 rue du Général Mangin").count() == 1
    expect(page.get_by_text("à 9 h 30")).to_have_count(1)
    assert page.get_by_role("link", name="Ajouter à mon agenda (fichier .ics)").count() == 1
    assert_no_violations(page)

    # Seen on the quest, in "Mes démarches" and on the dashboard.
    for url in (reverse("citizen:quest", args=[quest.pk]), reverse("citizen:quests"), reverse("citizen:dashboard")):
        page.goto(live_server.url + url)
        expect(page.get_by_text("Mairie de Nouméa"), url).to_have_count(1)
        expect(page.get_by_text("à 9 h 30"), url).to_have_count(1)
        assert_no_violations(page)

    # Cancel from the dashboard's link, with a confirmation step.
    page.goto(live_server.url + reverse("citizen:dashboard"))
    page.get_by_role("link", name="Voir, modifier ou annuler").first.click()
    page.get_by_role("link", name="Annuler ce rendez-vous").click()
    page.wait_for_url("**/annuler/")
    assert_no_violations(page)
    page.get_by_role("button", name="Confirmer l’annulation").click()
    page.wait_for_selector("text=Ce rendez-vous est annulé")
    assert_no_violations(page)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.coordination_status == CoordinationStatus.DELETED
    page.goto(live_server.url + reverse("citizen:dashboard"))
    assert page.get_by_text("Vos rendez-vous").count() == 0
