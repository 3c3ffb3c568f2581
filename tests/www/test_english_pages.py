"""An English-speaking citizen (issue 20, point 8): the interface in English, the catalogue's
content in French, marked ``lang="fr"`` on the element that holds it (WCAG 3.1.2)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests.www.lang_html import foreign_words, lang_of, texts_with_lang

pytestmark = pytest.mark.django_db

# Words of the French interface that an English page shows nowhere outside lang="fr".
FRENCH_INTERFACE_WORDS = [
    "Étape",
    "Enregistrer",
    "Retour",
    "Continuer",
    "Commencer",
    "Mes démarches",
    "Mon espace",
    "Accueil",
    "Se déconnecter",
    "Se connecter",
    "Rechercher",
    "Terminée",
    "À faire",
    "Dossier n°",
    "Vérifier",
    "Déposer",
    "Votre ",
    "Vos ",
    "vous ",
    " le ",
    " les ",
    " des ",
    " du ",
]
# French proper names an English page keeps as they are (an institution, its postal address).
PROPER_NAMES = ("Défenseur des droits", "Libre réponse", "Paris CEDEX")


@pytest.fixture
def english(client, draft_quest, login_verified):
    """The citizen of a passport draft, who chose English with the language switcher."""
    login_verified(client, draft_quest.citizen)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("citizen:home")})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return client


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    content = response.content.decode()
    assert '<html lang="en"' in content
    return content


def test_the_catalogue_content_is_marked_french_on_english_pages(english, draft_quest, passport):
    quest = draft_quest.pk
    catalogue = page(english, reverse("citizen:catalogue"))
    assert "Procedures" in catalogue
    assert lang_of(catalogue, "Passeport") == ["fr"]
    assert lang_of(catalogue, "Une démarche de test.") == ["fr"]

    procedure = page(english, reverse("citizen:procedure", args=[passport.slug]))
    assert set(lang_of(procedure, "Passeport")) == {"fr"}  # the breadcrumb and the heading
    assert lang_of(procedure, "Votre identité") == ["fr"]
    assert "The steps" in procedure

    quest_page = page(english, reverse("citizen:quest", args=[quest]))
    assert set(lang_of(quest_page, "Passeport")) == {"fr"}
    assert "fr" in lang_of(quest_page, "Votre identité")

    step = page(english, reverse("citizen:quest-step", args=[quest, "identite"]))
    assert "Save and continue" in step
    assert set(lang_of(step, "Votre identité")) == {"fr"}  # the breadcrumb and the stepper
    for label in ("Nom", "Date de naissance", "Première demande"):
        assert lang_of(step, label) == ["fr"], label
    assert lang_of(step, "Yes") == ["en"]  # the interface's own choices are English

    quests = page(english, reverse("citizen:quests"))
    assert "My procedures" in quests
    assert lang_of(quests, "Passeport") == ["fr"]
    assert set(lang_of(quests, "Avant de commencer")) == {"fr"}  # the stage line and the current step

    dashboard = page(english, reverse("citizen:dashboard"))
    assert lang_of(dashboard, "Passeport") == ["fr"]


def test_in_french_the_content_needs_no_lang_of_its_own(client, draft_quest, login_verified):
    login_verified(client, draft_quest.citizen)
    content = client.get(reverse("citizen:quest-step", args=[draft_quest.pk, "identite"])).content.decode()
    assert '<html lang="fr"' in content
    assert 'lang="fr"' not in content.split("<body", 1)[1].split('class="fr-translate', 1)[0]
    assert lang_of(content, "Nom") == ["fr"]  # the page's


ENGLISH_PAGES = [
    ("citizen:home", []),
    ("citizen:catalogue", []),
    ("citizen:procedure", ["slug"]),
    ("citizen:dashboard", []),
    ("citizen:quests", []),
    ("citizen:quest", ["quest"]),
    ("citizen:quest-step", ["quest", "avant-de-commencer"]),
    ("citizen:quest-step", ["quest", "identite"]),
    ("citizen:quest-review", ["quest"]),
    ("citizen:documents", []),
    ("citizen:notifications", []),
    ("citizen:profile", []),
    ("footer-sitemap", []),
]


@pytest.mark.parametrize(("name", "args"), ENGLISH_PAGES, ids=[f"{name}{args}" for name, args in ENGLISH_PAGES])
def test_no_french_interface_text_on_english_pages(english, draft_quest, passport, name, args):
    values = {"slug": passport.slug, "quest": draft_quest.pk}
    content = page(english, reverse(name, args=[values.get(arg, arg) for arg in args]))
    assert texts_with_lang(content)
    assert foreign_words(content, FRENCH_INTERFACE_WORDS, names=PROPER_NAMES) == []


OTHER_ROLES_PAGES = [
    (None, "citizen:home"),
    (None, "citizen:catalogue"),
    (None, "oidc:franceconnect"),
    (None, "oidc:proconnect"),
    (None, "accounts:login"),
    (None, "footer-accessibility-status"),
    (None, "footer-personal-data"),
    ("agent", "agent:home"),
    ("agent", "agent:appointments"),
    ("staff", "staff:home"),
    ("staff", "staff:builder-procedures"),
]


@pytest.mark.parametrize(
    ("role", "name"), OTHER_ROLES_PAGES, ids=[f"{name}[{role or 'visitor'}]" for role, name in OTHER_ROLES_PAGES]
)
def test_no_french_interface_text_for_visitors_agents_and_staff(
    client, user_for_role, login_verified, passport, role, name
):
    if role is not None:
        login_verified(client, user_for_role(role))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    content = page(client, reverse(name))
    assert foreign_words(content, FRENCH_INTERFACE_WORDS, names=PROPER_NAMES) == []
