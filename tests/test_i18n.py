"""French first, English complete: every interface string has an English translation."""

import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
ENGLISH_CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
# `{% translate "..." %}` and `_("...")` / `gettext_lazy("...")` literals, the common cases.
TEMPLATE_LITERAL = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
PYTHON_LITERAL = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*(["'])(.+?)\1\s*[,)]""")


def catalogue() -> polib.POFile:
    return polib.pofile(str(ENGLISH_CATALOGUE))


def test_english_catalogue_is_complete():
    po = catalogue()
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


def test_every_translatable_literal_is_in_the_catalogue():
    msgids = {entry.msgid for entry in catalogue()}
    literals = set()
    for template in (ROOT / "templates").rglob("*.html"):
        literals |= {match.group(2) for match in TEMPLATE_LITERAL.finditer(template.read_text())}
    for module in (ROOT / "civiquest").rglob("*.py"):
        if "migrations" not in module.parts:
            literals |= {match.group(2) for match in PYTHON_LITERAL.finditer(module.read_text())}
    missing = sorted(literals - msgids)
    assert missing == [], "Run `make messages` and translate the new strings"


@pytest.mark.django_db
def test_french_is_the_default_language(client):
    response = client.get(reverse("citizen:home"))
    assert '<html lang="fr"' in response.content.decode()
    assert "Vos démarches administratives, guidées pas à pas" in response.content.decode()


@pytest.mark.django_db
def test_the_language_switcher_turns_the_interface_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("citizen:home")}, follow=True)
    content = response.content.decode()
    assert '<html lang="en"' in content
    assert "Your administrative procedures, guided step by step" in content
    assert "Vos démarches administratives" not in content
