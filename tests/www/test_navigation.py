"""Issue 20: at most six top-level entries in every portal's navigation, the rest in sub-menus or the account menu."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.accounts.factories import AgentFactory, CitizenFactory, StaffFactory, SuperuserFactory

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
MAX_TOP_LEVEL = 6


class NavReader(HTMLParser):
    """The top-level entries of the main navigation (nav#navigation > ul > li) and the account menu's entries."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.top_level: list[str] = []
        self.account_entries: list[str] = []
        self.account_button: dict[str, str] = {}
        self._text_target: list[str] | None = None
        self._depth_of_entry = 0

    def _inside(self, tag: str, **attrs: str) -> int | None:
        for depth, (name, element_attrs) in enumerate(self.stack):
            if name == tag and all(element_attrs.get(key) == value for key, value in attrs.items()):
                return depth
        return None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {key: value or "" for key, value in attrs_list}
        nav_depth = self._inside("nav", id="navigation")
        if tag == "li" and nav_depth is not None and len(self.stack) == nav_depth + 2:
            self.top_level.append("")
            self._text_target, self._depth_of_entry = self.top_level, len(self.stack)
        account_depth = self._inside("div", id="account-menu")
        if tag == "li" and account_depth is not None and len(self.stack) == account_depth + 2:
            self.account_entries.append("")
            self._text_target, self._depth_of_entry = self.account_entries, len(self.stack)
        if tag == "button" and attrs.get("aria-controls") == "account-menu":
            self.account_button = attrs
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack:
            name, _attrs = self.stack.pop()
            if len(self.stack) == self._depth_of_entry:
                self._text_target = None
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._text_target is not None:
            # Only the entry's own label: a sub-menu's links are counted apart.
            if self._inside("div", **{"class": "fr-collapse fr-menu"}) is None:
                self._text_target[-1] = " ".join(f"{self._text_target[-1]} {data}".split())


def read_nav(client, url_name: str) -> NavReader:
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    reader = NavReader()
    reader.feed(response.content.decode())
    return reader


@pytest.mark.django_db
def test_a_visitor_sees_three_entries_and_a_sign_in_button(client):
    reader = read_nav(client, "citizen:home")
    assert reader.top_level == ["Accueil", "Démarches", "Assistant"]
    assert reader.account_button == {}


@pytest.mark.django_db
def test_a_citizen_sees_six_entries_and_finds_the_rest_in_the_account_menu(client, login_verified):
    login_verified(client, CitizenFactory())
    reader = read_nav(client, "citizen:dashboard")
    assert reader.top_level == [
        "Mon espace",
        "Mes démarches",
        "Mes documents",
        "Démarches",
        "Assistant",
        "Notifications",
    ]
    assert reader.account_button["aria-expanded"] == "false"
    assert reader.account_entries == [
        "Mon profil",
        "Mes impôts",
        "Mes habitudes",
        "Ma progression",
        "Mes aidants",
        "Mes partages",
        "Mes données personnelles",
        "Mes préférences de contact",
        "Se déconnecter",
    ]


@pytest.mark.parametrize(
    ("factory", "url_name", "expected"),
    [
        (AgentFactory, "agent:home", ["Dossiers", "Rendez-vous", "Avis", "Notifications", "Données"]),
        (StaffFactory, "staff:home", ["Vue d’ensemble", "Démarches", "Organisation", "Modération", "Suivi"]),
        (
            SuperuserFactory,
            "staff:home",
            ["Vue d’ensemble", "Démarches", "Organisation", "Modération", "Suivi", "Administration technique"],
        ),
    ],
    ids=["agent", "staff", "superuser"],
)
@pytest.mark.django_db
def test_agents_and_staff_see_at_most_six_entries(client, login_verified, factory, url_name, expected):
    login_verified(client, factory())
    reader = read_nav(client, url_name)
    assert reader.top_level == expected
    assert len(reader.top_level) <= MAX_TOP_LEVEL
    assert reader.account_entries == ["Se déconnecter"]


@pytest.mark.django_db
def test_the_staff_sub_menus_are_disclosure_buttons_and_show_where_staff_are(client, login_verified):
    login_verified(client, StaffFactory())
    page = client.get(reverse("staff:recommendation-rules")).content.decode()
    for menu in ("staff-menu-procedures", "staff-menu-organisation", "staff-menu-monitoring"):
        assert f'aria-controls="{menu}"' in page and f'id="{menu}"' in page
    # The page is in the "Démarches" sub-menu: its button says so, the link is the current page.
    procedures_button = page[page.index('aria-controls="staff-menu-procedures"') :][:200]
    assert 'aria-current="true"' in procedures_button
    assert f'href="{reverse("staff:recommendation-rules")}"' in page
