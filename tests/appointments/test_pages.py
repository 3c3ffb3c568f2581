"""The citizen's appointment pages: the quest step, the ANTS callback page, the management page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from civiquest.actions.appointments import quest_appointment_book
from civiquest.appointments.models import Appointment, AppointmentStatus, CoordinationStatus
from civiquest.appointments.selectors import meeting_point_timezone
from civiquest.integrations.passport.coordination import SERVICE
from civiquest.quests.models import StepProgress
from civiquest.sandbox.http_faults import HttpFault, inject
from tests.accounts.factories import CitizenFactory
from tests.integrations.ants.helpers import future_slot, passport_quest, point

pytestmark = pytest.mark.django_db


def step_url(quest, slug="rendez-vous") -> str:
    return reverse("citizen:quest-step", kwargs={"quest_id": quest.pk, "step_slug": slug})


def test_the_step_lists_slots_near_home_in_few_queries(
    ants_api, catalogue, client, citizen, django_assert_max_num_queries
):
    quest = passport_quest(citizen)
    near = point("Mairie de Nouméa", -22.2758, 166.4580)
    far = point("Mairie de Dumbéa", -22.15, 166.45)
    slots = [future_slot(near, days=day, hour=hour) for day in (1, 2, 3) for hour in (8, 9, 10)]
    slots += [future_slot(far, days=day, hour=8) for day in (1, 2)]
    client.force_login(citizen)
    with django_assert_max_num_queries(15):
        content = client.get(step_url(quest)).content.decode()
    assert "Le numéro AB12CD34EF est validé par l’ANTS" in content
    # First the days (as ANTS does), no time yet and no booking button.
    assert content.count('class="fr-tag"') == 3
    assert 'name="slot"' not in content and "Réserver ce créneau" not in content
    first_day = timezone.localtime(slots[0].starts_at, meeting_point_timezone(near)).date()
    content = client.get(step_url(quest) + f"?jour={first_day:%Y-%m-%d}").content.decode()
    assert content.index("Mairie de Nouméa") < content.index("Mairie de Dumbéa")
    assert content.count('name="slot"') == 4  # 3 at Nouméa, 1 at Dumbéa that day
    assert content.count('aria-current="date"') == 1
    assert content.count("Réserver ce créneau") == 1
    assert 'class="fr-fieldset__legend' in content
    # A malformed day: the days only.
    assert 'name="slot"' not in client.get(step_url(quest) + "?jour=2026-13-45").content.decode()
    # Three times as many slots cost no more queries.
    for day in range(4, 13):
        future_slot(near, days=day, hour=8)
    with django_assert_max_num_queries(15):
        client.get(step_url(quest) + f"?jour={first_day:%Y-%m-%d}")


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("CO12345678", "déjà servi"),
        ("EX12345678", "a expiré"),
        ("DE12345678", "officiellement"),
        ("UN12345678", "ne connaît pas"),
    ],
)
def test_the_step_explains_a_refused_number(ants_api, catalogue, client, citizen, number, words):
    quest = passport_quest(citizen, number=number)
    future_slot(point("Mairie", -22.2758, 166.4580))
    client.force_login(citizen)
    content = client.get(step_url(quest)).content.decode()
    assert words in content and "Corriger le numéro de pré-demande" in content
    assert 'name="slot"' not in content


def test_the_step_says_when_ants_is_down_and_keeps_the_number(ants_api, catalogue, client, citizen):
    quest = passport_quest(citizen)
    future_slot(point("Mairie", -22.2758, 166.4580))
    inject(SERVICE, HttpFault.SERVER_ERROR)
    client.force_login(citizen)
    content = client.get(step_url(quest)).content.decode()
    assert "Nous n’arrivons pas à joindre le service de rendez-vous de l’ANTS" in content
    assert "Votre numéro AB12CD34EF est bien enregistré" in content
    # The step can still be passed (an appointment taken by phone).
    assert "Enregistrer et continuer" in content


def test_booking_and_cancelling_from_the_quest(ants_api, catalogue, client, citizen):
    quest = passport_quest(citizen)
    slot = future_slot(point("Mairie de Nouméa", -22.2758, 166.4580), hour=9)
    client.force_login(citizen)
    book_url = reverse("citizen:appointment-quest-book", kwargs={"quest_id": quest.pk})
    assert client.post(book_url, {}).status_code == 302
    assert not Appointment.objects.exists()
    response = client.post(book_url, {"slot": slot.pk})
    appointment = Appointment.objects.get()
    # To the confirmation page (tests/appointments/test_confirmation.py).
    assert response.url == reverse("citizen:appointment-confirmation", args=[appointment.pk])
    assert appointment.coordination_status == CoordinationStatus.REGISTERED
    assert StepProgress.objects.filter(quest=quest, step__slug="rendez-vous", done_at__isnull=False).exists()
    content = client.get(step_url(quest)).content.decode()
    assert "Annuler ce rendez-vous" in content
    assert "Changer de créneau" in content
    client.post(reverse("citizen:appointment-quest-cancel", kwargs={"quest_id": quest.pk}))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.coordination_status == CoordinationStatus.DELETED


def test_another_citizens_quest_is_a_404(ants_api, catalogue, client, citizen):
    quest = passport_quest(citizen)
    client.force_login(CitizenFactory())
    url = reverse("citizen:appointment-quest-book", kwargs={"quest_id": quest.pk})
    assert client.post(url, {"slot": 1}).status_code == 404


def test_the_ants_callback_page_books_with_the_open_quests_number(ants_api, catalogue, client, citizen):
    quest = passport_quest(citizen)
    slot = future_slot(point("Mairie de Nouméa", -22.2758, 166.4580), hour=9)
    url = reverse("citizen:appointment-book", kwargs={"slot_id": slot.pk}) + "?reason=PASSPORT&documents_number=1"
    assert client.get(url).status_code == 302  # signed out: to FranceConnect
    client.force_login(citizen)
    content = client.get(url).content.decode()
    assert 'value="AB12CD34EF"' in content and "Mairie de Nouméa" in content
    refused = client.post(url, {"application_id": "EX12345678", "reason": "PASSPORT"})
    assert refused.status_code == 400 and "a expiré" in refused.content.decode()
    response = client.post(url, {"application_id": "AB12CD34EF", "reason": "PASSPORT"})
    appointment = Appointment.objects.get()
    assert response.url == reverse("citizen:appointment-confirmation", args=[appointment.pk])
    assert appointment.quest == quest


def test_the_management_page_works_without_a_session_and_cancels(ants_api, catalogue, client, citizen):
    quest = passport_quest(citizen)
    slot = future_slot(point("Mairie de Nouméa", -22.2758, 166.4580), hour=9)
    appointment = quest_appointment_book(quest=quest, slot_id=slot.pk, answers={"pre-demande.reference": "AB12CD34EF"})
    url = reverse("citizen:appointment-manage", kwargs={"token": appointment.management_token})
    response = client.get(url)
    assert response.status_code == 200 and response["Referrer-Policy"] == "no-referrer"
    content = response.content.decode()
    assert "Mairie de Nouméa" in content and "Annuler ce rendez-vous" in content
    assert "Dubois" not in content  # no personal data behind the token
    assert client.get(reverse("citizen:appointment-manage", kwargs={"token": "nope"})).status_code == 404
    client.post(reverse("citizen:appointment-cancel", kwargs={"token": appointment.management_token}))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert "Ce rendez-vous est annulé" in client.get(url).content.decode()


def test_the_timbre_step_shows_the_computed_amount(ants_api, catalogue, client, citizen):
    quest = passport_quest(citizen, birth="2010-01-01")
    client.force_login(citizen)
    content = client.get(step_url(quest, "timbre-fiscal")).content.decode()
    assert "achetez un timbre fiscal de 42 €" in content
    review = client.get(reverse("citizen:quest-review", kwargs={"quest_id": quest.pk}))
    assert review.context["timbre"].cents == 4200


@pytest.mark.parametrize(
    ("number", "words"),
    [("AB12CD34EF", "est validé par l’ANTS"), ("EX12345678", "ne permet pas de prendre rendez-vous")],
)
def test_the_pre_application_step_tells_where_the_saved_number_stands(
    ants_api, catalogue, client, citizen, number, words
):
    quest = passport_quest(citizen, number=number)
    client.force_login(citizen)
    assert words in client.get(step_url(quest, "pre-demande")).content.decode()
    empty = passport_quest(CitizenFactory(), number="")
    client.force_login(empty.citizen)
    content = client.get(step_url(empty, "pre-demande")).content.decode()
    assert "validé par l’ANTS" not in content and "ne permet pas" not in content


def test_a_helper_under_a_papiers_mandate_books_and_cancels_journaled(ants_api, catalogue, client, citizen):
    from civiquest.social.mandates.models import JournalAction, MandateJournalEntry
    from tests.social.mandate_setup import grant

    quest = passport_quest(citizen)
    slot = future_slot(point("Mairie de Nouméa", -22.2758, 166.4580), hour=9)
    helper = CitizenFactory()
    book_url = reverse("citizen:appointment-quest-book", kwargs={"quest_id": quest.pk})
    client.force_login(helper)
    assert client.post(book_url, {"slot": slot.pk}).status_code == 404  # no mandate yet
    outside = grant(citizen, helper, ["argent"])
    assert client.post(book_url, {"slot": slot.pk}).status_code == 404  # not this domain
    mandate = grant(citizen, helper, ["papiers"])
    assert client.post(book_url, {"slot": slot.pk}).status_code == 302
    assert Appointment.objects.get().quest == quest
    client.post(reverse("citizen:appointment-quest-cancel", kwargs={"quest_id": quest.pk}))
    actions = list(MandateJournalEntry.objects.filter(mandate=mandate).values_list("action", flat=True))
    assert actions == [JournalAction.GRANTED, JournalAction.APPOINTMENT_BOOKED, JournalAction.APPOINTMENT_CANCELLED]
    assert not MandateJournalEntry.objects.filter(mandate=outside).exclude(action=JournalAction.GRANTED).exists()
