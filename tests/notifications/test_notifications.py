"""The citizen is told of every state change of their quests: in their space and by email."""

import pytest
from django.core import mail
from django.urls import reverse

from civiquest.actions.quests import quest_submit, quest_transition
from civiquest.notifications.models import Notification, NotificationKind
from civiquest.notifications.services import notification_email_send, notify, unread_count
from civiquest.quests.models import QuestState
from tests.accounts.factories import CitizenFactory

S = QuestState


@pytest.fixture
def reachable_citizen(citizen):
    citizen.email = "angela.dubois@example.fr"
    citizen.notify_by_email = True
    citizen.save()
    return citizen


def titles(citizen):
    quest_news = Notification.objects.filter(recipient=citizen, kind=NotificationKind.QUEST_STATE)
    return list(quest_news.order_by("pk").values_list("title", flat=True))


def test_every_state_change_is_notified_once_and_emailed_once(
    reachable_citizen, ready_quest, instructor, manager, django_capture_on_commit_callbacks
):
    ref = ready_quest.reference
    with django_capture_on_commit_callbacks(execute=True):
        quest_submit(quest=ready_quest, actor=reachable_citizen)
        quest_submit(quest=ready_quest, actor=reachable_citizen)  # a double submit: one transition, one message
        quest_transition(quest=ready_quest, to_state=S.IN_REVIEW, actor=instructor)
        quest_transition(quest=ready_quest, to_state=S.CHANGES_REQUESTED, actor=instructor, motivation="Photo floue.")
        quest_submit(quest=ready_quest, actor=reachable_citizen)
        quest_transition(quest=ready_quest, to_state=S.IN_REVIEW, actor=instructor)
        quest_transition(quest=ready_quest, to_state=S.ACCEPTED, actor=instructor)
        quest_transition(quest=ready_quest, to_state=S.IN_REVIEW, actor=manager, motivation="Erreur de saisie.")
        quest_transition(quest=ready_quest, to_state=S.REJECTED, actor=instructor, motivation="Pièce manquante.")
    assert titles(reachable_citizen) == [
        f"Votre dossier {ref} a été déposé",
        f"Votre dossier {ref} est en cours d’instruction",
        f"Des corrections sont demandées sur votre dossier {ref}",
        f"Vos corrections du dossier {ref} ont été transmises",
        f"Votre dossier {ref} est en cours d’instruction",
        f"Votre dossier {ref} a été accepté",
        f"Votre dossier {ref} a été rouvert",
        f"Votre dossier {ref} a été refusé",
    ]
    changes = Notification.objects.get(title__startswith="Des corrections")
    assert "Photo floue." in changes.body
    assert changes.url == reverse("citizen:quest", args=[ready_quest.pk])
    game_news = ("Nouveau badge", "Vous passez")  # rewards are told too (issue 8)
    assert [m.subject for m in mail.outbox if not m.subject.startswith(game_news)] == titles(reachable_citizen)
    assert mail.outbox[0].to == ["angela.dubois@example.fr"]
    assert f"/mes-demarches/{ready_quest.pk}/" in mail.outbox[0].body


def test_a_guided_quest_completed_is_notified(citizen, moving):
    from civiquest.actions.quests import quest_start
    from civiquest.actions.quests import quest_step_complete as step_complete
    from civiquest.quests.services import answers_save
    from tests.catalogue.factories import GUIDED_STEPS

    quest = quest_start(citizen=citizen, procedure=moving)
    answers_save(quest=quest, step=quest.revision.steps.get(slug="situation"), data={"nouvelle_commune": "98818"})
    answers_save(
        quest=quest, step=quest.revision.steps.get(slug="teleservice"), data={"teleservice.reference": "12345678"}
    )
    for definition in GUIDED_STEPS:
        if definition.get("required", True):
            step_complete(quest=quest, step=quest.revision.steps.get(slug=definition["slug"]))
    assert titles(citizen) == ["Démarche terminée : Changement d’adresse"]


def test_no_email_without_consent_or_address(citizen, ready_quest, django_capture_on_commit_callbacks):
    citizen.email = "angela.dubois@example.fr"
    citizen.notify_by_email = False
    citizen.save()
    with django_capture_on_commit_callbacks(execute=True):
        quest_submit(quest=ready_quest, actor=citizen)
    assert Notification.objects.filter(recipient=citizen, kind=NotificationKind.QUEST_STATE).count() == 1
    assert mail.outbox == []


def test_a_retried_email_task_sends_nothing_more(reachable_citizen, ready_quest, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        quest_submit(quest=ready_quest, actor=reachable_citizen)
    notification = Notification.objects.get(recipient=reachable_citizen, kind=NotificationKind.QUEST_STATE)
    assert notification.emailed_at is not None
    sent = len(mail.outbox)
    assert notification_email_send(notification.pk) is False
    assert len(mail.outbox) == sent


def test_the_same_event_is_told_once(citizen):
    first = notify(recipient=citizen, kind="quest_state", key="event:1", title="Un")
    again = notify(recipient=citizen, kind="quest_state", key="event:1", title="Deux")
    assert first.pk == again.pk and Notification.objects.count() == 1


def test_a_failed_transition_leaves_no_notification(citizen, draft_quest):
    with pytest.raises(Exception, match="complet"):
        quest_submit(quest=draft_quest, actor=citizen)
    assert not Notification.objects.exists()


# --- The notification centre --------------------------------------------------------------------


def test_the_centre_lists_the_citizens_notifications_and_marks_them_seen(client, citizen, ready_quest):
    quest_submit(quest=ready_quest, actor=citizen)
    notify(recipient=CitizenFactory(), kind="quest_state", key="other", title="Le dossier d’un autre")
    client.force_login(citizen)
    assert unread_count(recipient=citizen) == 1
    home = client.get(reverse("citizen:quests")).content.decode()
    assert "(1 non lue)" in home
    page = client.get(reverse("citizen:notifications")).content.decode()
    assert f"Votre dossier {ready_quest.reference} a été déposé" in page and "Nouveau" in page
    assert f'href="{reverse("citizen:quest", args=[ready_quest.pk])}"' in page
    assert "Le dossier d’un autre" not in page
    assert unread_count(recipient=citizen) == 0
    again = client.get(reverse("citizen:notifications")).content.decode()
    assert "Nouveau" not in again and "non lue" not in again


def test_the_centre_runs_a_bounded_number_of_queries(client, citizen, django_assert_max_num_queries):
    client.force_login(citizen)
    for number in range(30):
        notify(recipient=citizen, kind="quest_state", key=f"event:{number}", title=f"Message {number}")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("citizen:notifications"))
    assert response.status_code == 200 and "Message 29" in response.content.decode()
    assert "Message 5" not in response.content.decode()  # the second page


# --- Email per kind ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("game_news_by_email", "sober_mode", "emailed"),
    [(False, False, False), (True, False, True), (True, True, False)],
)
def test_levels_and_badges_are_emailed_only_to_who_asked(
    reachable_citizen, django_capture_on_commit_callbacks, game_news_by_email, sober_mode, emailed
):
    from civiquest.progress.habits.models import GamePreferences

    GamePreferences.objects.create(
        citizen=reachable_citizen, game_news_by_email=game_news_by_email, sober_mode=sober_mode
    )
    from civiquest.progress import xp

    with django_capture_on_commit_callbacks(execute=True):
        # The game decides whether its news is e-mailed; a service's message always is.
        xp.xp_award(citizen=reachable_citizen, amount=100, reason="test.level", key="test:level")
        notify(recipient=reachable_citizen, kind=NotificationKind.QUEST_STATE, key="quest:1", title="Dossier déposé")
    assert xp.level_of(reachable_citizen).level == 2
    subjects = [message.subject for message in mail.outbox]
    assert "Dossier déposé" in subjects
    assert ("Vous passez au niveau 2" in subjects) is emailed
    assert len(subjects) == (2 if emailed else 1)


def test_the_preferences_form_sets_the_game_emails(client, reachable_citizen):
    from civiquest.progress.habits.models import GamePreferences

    client.force_login(reachable_citizen)
    profile = client.get(reverse("citizen:profile")).content.decode()
    assert 'name="game_news_by_email"' in profile and "nouveaux niveaux et badges" in profile
    client.post(reverse("citizen:game-preferences"), {"game_news_by_email": "on"})
    assert GamePreferences.objects.get(citizen=reachable_citizen).game_news_by_email is True
    assert (
        'name="game_news_by_email"\n               checked' in client.get(reverse("citizen:profile")).content.decode()
    )
