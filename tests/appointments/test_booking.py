"""Booking, rebooking and cancelling through the ANTS coordination sandbox; retries; concurrency."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from civiquest.actions.appointments import appointment_book, appointment_cancel, quest_appointment_book
from civiquest.appointments import places
from civiquest.appointments import services as booking
from civiquest.appointments.models import (
    Appointment,
    AppointmentApplication,
    AppointmentStatus,
    CoordinationStatus,
)
from civiquest.appointments.places import Place
from civiquest.appointments.services import BookingError
from civiquest.integrations.passport import coordination
from civiquest.integrations.passport.coordination import SERVICE
from civiquest.quests.models import Answer, StepProgress
from civiquest.sandbox.http_faults import HttpFault, clear, inject, requests_seen, reset_requests_seen
from tests.accounts.factories import CitizenFactory
from tests.integrations.ants.helpers import future_slot, passport_quest, point

pytestmark = pytest.mark.django_db


def appointment_step_done(quest) -> bool:
    return StepProgress.objects.filter(quest=quest, step__slug="rendez-vous", done_at__isnull=False).exists()


def test_booking_registers_with_ants_and_marks_the_step_done(ants_api, catalogue, citizen):
    quest = passport_quest(citizen, number="ab12cd34ef")
    slot = future_slot(point("Mairie de Nouméa", -22.2758, 166.4580))
    appointment = quest_appointment_book(quest=quest, slot_id=slot.pk, answers={"pre-demande.reference": "ab12cd34ef"})
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.coordination_status == CoordinationStatus.REGISTERED
    assert appointment.application_ids == ["AB12CD34EF"]
    assert list(AppointmentApplication.objects.values_list("application_id", flat=True)) == ["AB12CD34EF"]
    assert appointment.reason == "PASSPORT" and appointment.quest == quest
    assert appointment_step_done(quest)
    [listed] = coordination.status_of("AB12CD34EF").appointments
    assert listed.management_url == booking.management_url(appointment)
    assert listed.management_url.endswith(f"/rendez-vous/gestion/{appointment.management_token}/")
    assert listed.meeting_point_id == str(slot.meeting_point_id)
    # Our own appointment is not "elsewhere".
    assert booking.application_check("AB12CD34EF").elsewhere == ()


def test_rebooking_a_quest_replaces_its_appointment(ants_api, catalogue, citizen):
    quest = passport_quest(citizen)
    mairie = point("Mairie de Nouméa", -22.2758, 166.4580)
    first, second = future_slot(mairie, hour=9), future_slot(mairie, hour=10)
    answers = {"pre-demande.reference": "AB12CD34EF"}
    old = quest_appointment_book(quest=quest, slot_id=first.pk, answers=answers)
    new = quest_appointment_book(quest=quest, slot_id=second.pk, answers=answers)
    old.refresh_from_db()
    assert old.status == AppointmentStatus.CANCELLED and old.coordination_status == CoordinationStatus.DELETED
    assert Appointment.objects.filter(quest=quest, status=AppointmentStatus.BOOKED).get() == new
    [listed] = coordination.status_of("AB12CD34EF").appointments
    assert listed.management_url == booking.management_url(new)


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("CO12345678", "déjà servi"),
        ("DE12345678", "pas officiellement reconnu"),
        ("EX12345678", "a expiré"),
        ("UN12345678", "ne connaît pas"),
        ("AB12", "10 caractères"),
    ],
)
def test_a_number_ants_refuses_books_nothing(ants_api, catalogue, citizen, number, words):
    quest = passport_quest(citizen, number="")
    slot = future_slot(point("Mairie", -22.2758, 166.4580))
    with pytest.raises(BookingError) as caught:
        quest_appointment_book(quest=quest, slot_id=slot.pk, answers={"pre-demande.reference": number})
    assert words in caught.value.message
    assert not Appointment.objects.exists()


def test_ants_unreachable_keeps_the_number_and_books_nothing(ants_api, catalogue, citizen):
    quest = passport_quest(citizen)
    slot = future_slot(point("Mairie", -22.2758, 166.4580))
    inject(SERVICE, HttpFault.SERVER_ERROR)
    with pytest.raises(BookingError) as caught:
        quest_appointment_book(quest=quest, slot_id=slot.pk, answers={"pre-demande.reference": "AB12CD34EF"})
    assert "conservé" in caught.value.message and "réessayez" in caught.value.message
    assert not Appointment.objects.exists()
    assert Answer.objects.get(quest=quest, field_name="pre-demande.reference").value == "AB12CD34EF"
    clear(SERVICE)
    quest_appointment_book(quest=quest, slot_id=slot.pk, answers={"pre-demande.reference": "AB12CD34EF"})
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 1


def test_an_appointment_elsewhere_must_be_acknowledged(ants_api, catalogue, citizen):
    quest = passport_quest(citizen, number="DU12345678")
    slot = future_slot(point("Mairie", -22.2758, 166.4580))
    answers = {"pre-demande.reference": "DU12345678"}
    with pytest.raises(BookingError) as caught:
        quest_appointment_book(quest=quest, slot_id=slot.pk, answers=answers)
    assert "déjà un rendez-vous" in caught.value.message
    quest_appointment_book(quest=quest, slot_id=slot.pk, answers=answers, confirm_elsewhere=True)
    assert len(coordination.status_of("DU12345678").appointments) == 2


def test_a_full_or_cancelled_or_past_slot_cannot_be_booked(ants_api, catalogue, citizen):
    quest = passport_quest(citizen)
    mairie = point("Mairie", -22.2758, 166.4580)
    full = future_slot(mairie, hour=9)
    other = passport_quest(CitizenFactory(), number="ZZ12345678")
    quest_appointment_book(quest=other, slot_id=full.pk, answers={"pre-demande.reference": "ZZ12345678"})
    cancelled = future_slot(mairie, hour=10, cancelled_at=timezone.now())
    past = future_slot(mairie, days=-1)
    answers = {"pre-demande.reference": "AB12CD34EF"}
    for slot, words in ((full, "vient d’être pris"), (cancelled, "plus proposé"), (past, "plus proposé")):
        with pytest.raises(BookingError) as caught:
            quest_appointment_book(quest=quest, slot_id=slot.pk, answers=answers)
        assert words in caught.value.message
    assert not Appointment.objects.filter(quest=quest).exists()


def test_a_failed_registration_keeps_the_booking_and_is_retried_once(ants_api, catalogue, citizen):
    quest = passport_quest(citizen)
    slot = future_slot(point("Mairie", -22.2758, 166.4580))
    appointment, _replaced = booking.book_locked(
        citizen=citizen,
        slot_id=slot.pk,
        application_ids=["AB12CD34EF"],
        reason="PASSPORT",
        quest=quest,
        replacing=None,
    )
    inject(SERVICE, HttpFault.SERVER_ERROR, times=1)
    assert booking.appointment_register(appointment_id=appointment.pk) is False
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.coordination_status == CoordinationStatus.FAILED
    assert appointment_step_done(quest)
    # The sweep (the beat task) registers it, once; running again sends nothing.
    later = timezone.now() + dt.timedelta(minutes=2)
    assert booking.coordination_sync(now=later) == (1, 0)
    reset_requests_seen(SERVICE)
    assert booking.coordination_sync(now=later) == (0, 0)
    assert booking.appointment_register(appointment_id=appointment.pk) is True
    assert requests_seen(SERVICE) == 0
    appointment.refresh_from_db()
    assert appointment.coordination_status == CoordinationStatus.REGISTERED
    assert len(coordination.status_of("AB12CD34EF").appointments) == 1


def test_cancel_withdraws_from_ants_and_is_idempotent(ants_api, catalogue, citizen):
    quest = passport_quest(citizen)
    slot = future_slot(point("Mairie", -22.2758, 166.4580))
    appointment = quest_appointment_book(quest=quest, slot_id=slot.pk, answers={"pre-demande.reference": "AB12CD34EF"})
    inject(SERVICE, HttpFault.SERVER_ERROR)
    appointment_cancel(appointment=appointment)
    assert appointment.status == AppointmentStatus.CANCELLED
    # ANTS did not hear it: still listed there, and the sweep will try again.
    assert appointment.coordination_status == CoordinationStatus.REGISTERED
    clear(SERVICE)
    assert len(coordination.status_of("AB12CD34EF").appointments) == 1
    assert booking.coordination_sync() == (0, 1)
    appointment_cancel(appointment=appointment)
    assert appointment.coordination_status == CoordinationStatus.DELETED
    assert coordination.status_of("AB12CD34EF").appointments == ()
    # The place is free again.
    other = passport_quest(CitizenFactory(), number="ZZ12345678")
    quest_appointment_book(quest=other, slot_id=slot.pk, answers={"pre-demande.reference": "ZZ12345678"})


@pytest.mark.django_db(transaction=True)
def test_two_citizens_race_for_the_last_place(catalogue):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers: the race needs PostgreSQL's row locks")
    slot = future_slot(point("Mairie", -22.2758, 166.4580), capacity=1)
    citizens = [CitizenFactory(), CitizenFactory()]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(citizen) -> None:
        barrier.wait()
        try:
            booking.book_locked(
                citizen=citizen,
                slot_id=slot.pk,
                application_ids=[f"RACE{citizen.pk:06d}"],
                reason="PASSPORT",
                quest=None,
                replacing=None,
            )
            outcomes.append("booked")
        except BookingError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(citizen,)) for citizen in citizens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "refused"]
    assert Appointment.objects.filter(slot=slot, status=AppointmentStatus.BOOKED).count() == 1


# --- Meeting points near the citizen --------------------------------------------------------------


def test_points_are_sorted_by_distance_when_the_address_has_coordinates(db):
    far = point("Mairie de Paris Centre", 48.8566, 2.3522, zip_code="75001", citycode="75056")
    near = point("Mairie de Nouméa", -22.2758, 166.4580)
    middle = point("Mairie de Dumbéa", -22.1500, 166.4500, zip_code="98835", citycode="98805")
    nearby = places.nearest_points(Place(lat=-22.2716, lon=166.4413))
    # The box around Nouméa holds two points: Paris is not even read.
    assert [item.point for item in nearby] == [near, middle]
    assert nearby[0].distance_km is not None and nearby[0].distance_km < 3
    assert nearby[1].distance_label == "à 14 km"
    lonely = places.nearest_points(Place(lat=45.76, lon=4.83))  # Lyon: nothing in the box, all by distance
    # Paris 392 km away, Dumbéa 16,907 km, Nouméa 16,920 km.
    assert [item.point for item in lonely] == [far, middle, near]


def test_without_coordinates_the_commune_then_postcode_then_department_come_first(db):
    paris = point("A Paris", 48.8566, 2.3522, zip_code="75001", citycode="75056")
    dumbea = point("B Dumbéa", -22.15, 166.45, zip_code="98835", citycode="98805")
    noumea = point("C Nouméa", -22.2758, 166.4580, zip_code="98800", citycode="98818")
    by_citycode = places.nearest_points(places.place_of({"label": "x", "citycode": "98818", "postcode": "98800"}))
    assert [item.point for item in by_citycode] == [noumea, dumbea, paris]
    free_text = places.place_of({"label": "3 rue Anatole France 98800 Nouméa", "free_entry": True})
    assert free_text.postcode == "98800" and not free_text.has_coordinates
    assert [item.point for item in places.nearest_points(free_text)] == [noumea, dumbea, paris]
    plain = places.place_of("12 rue de Rivoli, 75001 Paris")
    assert [item.point for item in places.nearest_points(plain)][0] == paris
    assert [item.point for item in places.nearest_points(places.place_of(None))] == [paris, dumbea, noumea]


def test_slots_are_grouped_by_day_without_full_ones(db):
    mairie = point("Mairie de Nouméa", -22.2758, 166.4580)
    empty = point("Mairie sans créneau", -22.27, 166.45)
    day_one = [future_slot(mairie, days=1, hour=8), future_slot(mairie, days=1, hour=9)]
    day_two = future_slot(mairie, days=2, hour=8)
    full = future_slot(mairie, days=2, hour=9)
    Appointment.objects.create(slot=full, citizen=CitizenFactory(), application_ids=["X"], reason="PASSPORT")
    future_slot(mairie, days=40)  # beyond the 4 weeks offered
    [near] = places.points_with_slots(Place(lat=-22.2716, lon=166.4413))
    assert near.point == mairie and empty.pk
    assert [[slot.pk for slot in slots] for _day, slots in near.days] == [[s.pk for s in day_one], [day_two.pk]]


def test_a_cancelled_appointment_leaves_the_step_to_do_again(ants_api, catalogue, citizen):
    quest = passport_quest(citizen)
    slot = future_slot(point("Mairie", -22.2758, 166.4580))
    appointment = quest_appointment_book(quest=quest, slot_id=slot.pk, answers={"pre-demande.reference": "AB12CD34EF"})
    assert appointment_step_done(quest)
    appointment_cancel(appointment=appointment)
    quest.refresh_from_db()
    assert not appointment_step_done(quest)
    # The quest points at the first step left to do (this helper's quest skipped the opening info step).
    assert quest.current_step is not None and quest.current_step.slug == "avant-de-commencer"
    # Booking again does the step again.
    quest_appointment_book(quest=quest, slot_id=slot.pk, answers={"pre-demande.reference": "AB12CD34EF"})
    assert appointment_step_done(quest)


def test_an_appointment_the_mairie_cancels_also_reopens_the_step(ants_api, catalogue, citizen):
    from civiquest.appointments.slots import appointment_cancel

    quest = passport_quest(citizen)
    slot = future_slot(point("Mairie", -22.2758, 166.4580))
    appointment = quest_appointment_book(quest=quest, slot_id=slot.pk, answers={"pre-demande.reference": "AB12CD34EF"})
    appointment_cancel(appointment, by=None, motivation="Dispositif de recueil en panne")
    assert not appointment_step_done(quest)
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CANCELLED


# --- One pre-application number, one appointment to come --------------------------------------------


def test_a_number_cannot_hold_a_second_appointment_even_for_its_own_citizen(ants_api, catalogue, citizen):
    mairie = point("Mairie de Nouméa", -22.2758, 166.4580)
    first, second = future_slot(mairie, hour=9), future_slot(mairie, hour=10)
    quest = passport_quest(citizen, number="ON12345678")
    quest_appointment_book(quest=quest, slot_id=first.pk, answers={"pre-demande.reference": "ON12345678"})
    # The same citizen, outside that quest (another quest, or the standalone booking page).
    with pytest.raises(BookingError) as caught:
        appointment_book(citizen=citizen, slot_id=second.pk, application_id="ON12345678", reason="PASSPORT")
    assert "déjà un rendez-vous à venir" in caught.value.message
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 1
    # Cancelled, the number is free again.
    appointment_cancel(appointment=Appointment.objects.get(status=AppointmentStatus.BOOKED))
    again = appointment_book(citizen=citizen, slot_id=second.pk, application_id="ON12345678", reason="PASSPORT")
    assert again.status == AppointmentStatus.BOOKED


def test_a_past_appointment_no_longer_holds_its_number(catalogue, citizen):
    mairie = point("Mairie", -22.2758, 166.4580)
    past = booking.book_locked(
        citizen=citizen,
        slot_id=future_slot(mairie, hour=9).pk,
        application_ids=["PA12345678"],
        reason="PASSPORT",
        quest=None,
        replacing=None,
    )[0]
    past.slot.__class__.objects.filter(pk=past.slot_id).update(starts_at=timezone.now() - dt.timedelta(days=1))
    booking.book_locked(
        citizen=citizen,
        slot_id=future_slot(mairie, hour=10).pk,
        application_ids=["PA12345678"],
        reason="PASSPORT",
        quest=None,
        replacing=None,
    )
    assert AppointmentApplication.objects.filter(application_id="PA12345678", live=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_of_one_number_leave_one_appointment(catalogue):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers: the race needs PostgreSQL (the constraint is tested above)")
    mairie = point("Mairie", -22.2758, 166.4580)
    slots = [future_slot(mairie, hour=9, minute=index * 3, capacity=5) for index in range(20)]
    citizen = CitizenFactory()
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def attempt(slot) -> None:
        barrier.wait()
        try:
            booking.book_locked(
                citizen=citizen,
                slot_id=slot.pk,
                application_ids=["CC12345678"],
                reason="PASSPORT",
                quest=None,
                replacing=None,
            )
            outcomes.append("booked")
        except BookingError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(slot,)) for slot in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("booked") == 1, outcomes
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 1
