"""Every page family, as each role sees it, with content: the 375 px test and ``make screenshots`` visit them.

The pages of ``pages.PAGES`` that answer 200, plus the pages that need data (a procedure, a
quest, its step and recap, an agent's dossier, the builder's procedure page), seeded here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.urls import reverse

from civiquest.accounts.models import ServiceRole, User
from civiquest.progress.habits.services import sober_mode_set
from civiquest.quests.services import quest_start
from tests.a11y.conftest import watch_csp_violations
from tests.a11y.pages import PAGES
from tests.accounts.factories import CitizenFactory, StaffFactory, login_verified
from tests.catalogue.factories import INSTRUCTED_STEPS, ServiceFactory, member_of, published
from tests.instruction.helpers import submitted_quest
from tests.quests.fixtures import fill

ROLES = ("visitor", "citizen", "citizen-sober", "agent", "staff")
PAGE_ROLE = {"visitor": None, "citizen": "citizen", "citizen-sober": "citizen", "agent": "agent", "staff": "staff"}


@dataclass
class Family:
    """What one role visits: (name, path) pairs, as ``user`` (None: signed out)."""

    role: str
    user: User | None
    pages: list[tuple[str, str]] = field(default_factory=list)


def _listed(role: str | None) -> list[tuple[str, str]]:
    return [
        (page.url_name.replace(":", "-"), reverse(page.url_name, kwargs=page.kwargs))
        for page in PAGES
        if page.role == role and page.expected_status == 200
    ]


def _quest_pages(citizen: User, procedure: Any) -> list[tuple[str, str]]:
    quest = fill(quest_start(citizen=citizen, procedure=procedure))
    return [
        ("citizen-quest", reverse("citizen:quest", kwargs={"quest_id": quest.pk})),
        ("citizen-quest-step", reverse("citizen:quest-step", kwargs={"quest_id": quest.pk, "step_slug": "identite"})),
        ("citizen-quest-review", reverse("citizen:quest-review", kwargs={"quest_id": quest.pk})),
    ]


def seed_families(role: str) -> Family:
    """The pages of one role, with the data they need (one instructed procedure, quests, a dossier)."""
    mairie = ServiceFactory(name="Mairie de Nouméa")
    procedure, _revision = published(INSTRUCTED_STEPS, service=mairie, slug="titre-de-voyage", title="Titre de voyage")
    procedure_page = ("citizen-procedure", reverse("citizen:procedure", kwargs={"slug": procedure.slug}))
    if role == "visitor":
        return Family(role, None, [*_listed(None), procedure_page])
    if role in ("citizen", "citizen-sober"):
        citizen = CitizenFactory()
        if role == "citizen-sober":
            sober_mode_set(citizen=citizen, enabled=True)
        return Family(role, citizen, [*_listed("citizen"), procedure_page, *_quest_pages(citizen, procedure)])
    if role == "agent":
        agent = member_of(mairie, ServiceRole.INSTRUCTOR)
        for _ in range(3):
            submitted_quest(procedure)
        dossier = submitted_quest(procedure)
        return Family(role, agent, [*_listed("agent"), ("agent-quest", reverse("agent:quest", args=[dossier.pk]))])
    staff = StaffFactory()
    builder = ("staff-builder-procedure", reverse("staff:builder-procedure", kwargs={"procedure_id": procedure.pk}))
    return Family(role, staff, [*_listed("staff"), builder])


def open_context(browser: Any, live_server: Any, user: User | None, violations: list[dict[str, Any]]) -> Any:
    """A browser context of its own (its own session), reporting CSP violations into ``violations``."""
    context = browser.new_context(locale="fr-FR")
    watch_csp_violations(context, violations)
    if user is not None:
        client = Client()
        login_verified(client, user)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                    "httpOnly": True,
                }
            ]
        )
    return context
