"""No link of the site answers an error (issue 20, point 6): a crawl of every page family as a
visitor, a citizen with demo-like data, a trusted helper under mandate, an agent and a staff
member. Each follows every same-site link from its entry pages (tests/www/crawl.py).

The situation is the demo's: the real catalogue, a passport quest with its appointment booked
on the ANTS sandbox, instructed quests accepted (with an attestation), sent back for changes
(with messages), submitted, a guided quest completed, documents, notifications, a mandate.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from civiquest.accounts.models import Service, ServiceMembership, ServiceRole, User
from civiquest.actions.appointments import quest_appointment_book
from civiquest.actions.instruction import quest_accept, quest_request_changes, quest_start_review
from civiquest.actions.quests import quest_start, quest_step_complete, quest_submit
from civiquest.catalogue.models import Theme
from civiquest.documents.models import DocumentType
from civiquest.instruction import services as instruction
from civiquest.quests.models import Quest, QuestState
from civiquest.quests.services import answers_save
from tests.accounts.factories import AgentFactory, CitizenFactory, StaffFactory, login_verified
from tests.catalogue.factories import GUIDED_STEPS, INSTRUCTED_STEPS, DocumentFactory, published
from tests.integrations.ants.conftest import ants_api, catalogue  # noqa: F401 - shared fixtures
from tests.integrations.ants.helpers import future_slot, passport_quest, point
from tests.quests.fixtures import fill, step
from tests.social.mandate_setup import grant
from tests.www.crawl import crawl

pytestmark = pytest.mark.django_db


@dataclass
class Demo:
    citizen: User
    helper: User
    agent: User
    staff: User
    quests: dict[str, Quest]


def _instructed(mairie: Service, slug: str, title: str):
    procedure, _revision = published(INSTRUCTED_STEPS, service=mairie, slug=slug, title=title, theme=Theme.PAPERS)
    return procedure


def _submitted(citizen: User, procedure) -> Quest:
    quest = fill(quest_start(citizen=citizen, procedure=procedure))
    quest_submit(quest=quest, actor=citizen)
    quest.refresh_from_db()
    return quest


@pytest.fixture
def demo(ants_api, catalogue) -> Demo:  # noqa: F811 - the fixtures imported above
    mairie = Service.objects.get(name="Mairie de Nouméa")
    agent = AgentFactory(first_name="Léa", last_name="Instructrice")
    ServiceMembership.objects.create(user=agent, service=mairie, role=ServiceRole.MANAGER)
    citizen = CitizenFactory(first_name="Angela", last_name="Dubois")
    DocumentFactory(owner=citizen, type=DocumentType.PROOF_OF_ADDRESS, title="Facture d’électricité")
    DocumentFactory(owner=citizen, type=DocumentType.PASSPORT, title="Mon passeport")
    quests: dict[str, Quest] = {}

    # The real passport, its appointment booked on the ANTS sandbox (a draft still).
    quests["appointment"] = passport_quest(citizen)
    slot = future_slot(point("Mairie de Nouméa", -22.2758, 166.4580), days=3, hour=9, minute=30)
    quest_appointment_book(
        quest=quests["appointment"], slot_id=slot.pk, answers={"pre-demande.reference": "AB12CD34EF"}
    )
    # Instructed quests in each state the service gives them.
    accepted = _submitted(citizen, _instructed(mairie, "titre-accepte", "Titre accordé"))
    quest_start_review(quest=accepted, actor=agent)
    instruction.message_send(quest=accepted, author=agent, body="Votre dossier est complet.")
    quest_accept(quest=accepted, actor=agent)
    quests["accepted"] = accepted
    changes = _submitted(citizen, _instructed(mairie, "titre-a-corriger", "Titre à corriger"))
    quest_start_review(quest=changes, actor=agent)
    quest_request_changes(quest=changes, actor=agent, message="La photo est floue.", targets=["step:pieces"])
    quests["changes"] = changes
    quests["submitted"] = _submitted(citizen, _instructed(mairie, "titre-depose", "Titre déposé"))
    # A guided quest, completed (no service: no messages, no attestation).
    guided, _revision = published(GUIDED_STEPS, slug="demenagement-guide", title="Déménagement guidé")
    done = quest_start(citizen=citizen, procedure=guided)
    answers_save(quest=done, step=step(done, "situation"), data={"nouvelle_commune": "13055"})
    answers_save(quest=done, step=step(done, "teleservice"), data={"teleservice.reference": "20260042"})
    for slug in ("a-savoir", "situation", "teleservice"):
        quest_step_complete(quest=done, step=step(done, slug))
    quests["guided"] = done
    quests["draft"] = quest_start(citizen=citizen, procedure=_instructed(mairie, "titre-brouillon", "Brouillon"))

    helper = CitizenFactory(first_name="Hélène", last_name="Aidante")
    grant(citizen, helper, domains=("papiers",))
    return Demo(citizen=citizen, helper=helper, agent=agent, staff=StaffFactory(), quests=quests)


def _as(user: User | None) -> Client:
    client = Client()
    if user is not None:
        login_verified(client, user)
    return client


CITIZEN_ENTRIES = [
    "citizen:home",
    "citizen:dashboard",
    "citizen:quests",
    "citizen:documents",
    "citizen:notifications",
    "citizen:profile",
    "citizen:catalogue",
    "citizen:progress",
    "citizen:mandates",
]


def test_no_link_of_any_page_family_answers_an_error(demo):
    """One situation, five crawls (the setup, the real catalogue and an ANTS booking, is the slow part)."""
    assert demo.quests["guided"].state == QuestState.COMPLETED
    quest_pages = [reverse("citizen:quest", args=[quest.pk]) for quest in demo.quests.values()]
    instructed = [demo.quests[name].pk for name in ("accepted", "changes", "submitted")]
    crawls = {
        "visitor": crawl(
            _as(None), [reverse("citizen:home"), reverse("citizen:catalogue"), reverse("footer-sitemap")]
        ),
        "citizen": crawl(_as(demo.citizen), [reverse(name) for name in CITIZEN_ENTRIES] + quest_pages),
        # A helper opens the quests of the mandate (the draft's procedure is covered too).
        "helper": crawl(
            _as(demo.helper), [reverse("citizen:helper-space"), reverse("citizen:dashboard"), *quest_pages]
        ),
        "agent": crawl(
            _as(demo.agent),
            [reverse("agent:home"), reverse("agent:appointments"), reverse("agent:notifications")]
            + [reverse("agent:quest", args=[pk]) for pk in instructed],
        ),
        "staff": crawl(_as(demo.staff), [reverse("staff:home"), reverse("footer-sitemap")]),
    }
    report = "\n".join(f"[{role}] {broken}" for role, result in crawls.items() for broken in result.broken)
    assert report == ""
    # The crawls reached the pages the situation has, by links.
    citizen = set(crawls["citizen"].visited)
    accepted = demo.quests["accepted"].pk
    assert reverse("citizen:quest-messages", args=[accepted]) in citizen
    assert reverse("citizen:quest-attestation", args=[accepted]) in citizen
    assert any("/rendez-vous/" in url for url in citizen)
    assert len(crawls["visitor"].visited) > 20
    assert len(crawls["staff"].visited) > 15
    assert len(crawls["agent"].visited) > 10
