"""The agent's appointment pages in the browser: a mairie manager creates a meeting point
(after a typing mistake), previews then publishes a week of slots, sees a booking and cancels
it with a motivation. Axe on every page, with and without errors."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from civiquest.accounts.models import ServiceRole
from civiquest.appointments.models import Appointment, AppointmentStatus, MeetingPoint, TimeSlot
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import ServiceFactory, member_of
from tests.integrations.ants_editor.factories import book

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def test_publish_slots_and_cancel_a_booking(browser_page_as, live_server):
    mairie = ServiceFactory(name="Mairie de Nouméa")
    manager = member_of(mairie, ServiceRole.MANAGER, first_name="Karim", last_name="Benali")
    page = browser_page_as(manager)

    page.goto(live_server.url + reverse("agent:home"))
    page.get_by_role("link", name="Rendez-vous", exact=True).click()
    page.wait_for_url("**/agent/rendez-vous/")
    assert_no_violations(page)

    page.get_by_role("link", name="Ajouter un lieu").click()
    page.wait_for_url("**/nouveau-lieu/")
    page.get_by_label("Adresse de l’entrée du public").fill("16 Rue du Général Mangin")
    page.get_by_label("Code postal").fill("98800")
    page.get_by_label("Commune", exact=True).fill("Nouméa")
    page.get_by_label("Latitude").fill("-122.27")  # a typo: out of range
    page.get_by_label("Longitude").fill("166.4398")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le formulaire contient des erreurs").is_visible()
    assert page.get_by_label("Code postal").input_value() == "98800"
    assert_no_violations(page)

    page.get_by_label("Latitude").fill("-22.2712")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/publier/")
    point = MeetingPoint.objects.get()
    assert point.latitude == -22.2712
    assert_no_violations(page)

    page.get_by_role("button", name="Voir combien de créneaux seront créés").click()
    page.wait_for_load_state()
    assert page.locator("#preview").is_visible()
    assert not TimeSlot.objects.exists()
    assert_no_violations(page)

    page.get_by_role("button", name="Publier", exact=True).click()
    page.wait_for_url("**/rendez-vous/lieux/*/?semaine=*")
    assert TimeSlot.objects.filter(meeting_point=point).exists()
    assert_no_violations(page)

    # A citizen books the first slot; the agent sees it in the week and cancels it.
    slot = TimeSlot.objects.filter(meeting_point=point, starts_at__gt=timezone.now()).order_by("starts_at").first()
    book(slot, citizen=CitizenFactory(first_name="Angela", last_name="Dubois"), application_ids=["ABCDE12345"])
    local_day = timezone.localtime(slot.starts_at, ZoneInfo("Pacific/Noumea")).date()
    page.goto(live_server.url + reverse("agent:meeting-point", args=[point.pk]) + f"?semaine={local_day:%Y-%m-%d}")
    assert page.get_by_text("Angela Dubois", exact=True).is_visible()
    assert_no_violations(page)

    page.get_by_role("link", name="Annuler le rendez-vous").first.click()
    page.wait_for_url("**/annuler/")
    page.get_by_role("button", name="Annuler le rendez-vous").click()
    page.wait_for_load_state()
    assert page.get_by_text("Le formulaire contient des erreurs").is_visible()
    assert_no_violations(page)
    page.get_by_label("Motif de l’annulation").fill("Station de recueil en panne.")
    page.get_by_role("button", name="Annuler le rendez-vous").click()
    page.wait_for_url("**/rendez-vous/lieux/**")
    assert Appointment.objects.get().status == AppointmentStatus.CANCELLED
    assert page.get_by_text("Le rendez-vous est annulé").is_visible()
    assert slot.starts_at > timezone.now() - dt.timedelta(minutes=1)
