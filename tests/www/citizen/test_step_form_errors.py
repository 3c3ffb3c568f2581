"""Issue 20: a step's errors are on their fields, the DSFR way, with a summary at the top linking to them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from civiquest.quests.services import quest_start
from tests.catalogue.factories import INSTRUCTED_STEPS, ServiceFactory, published

HTMX = {"HTTP_HX_REQUEST": "true"}


class Elements(HTMLParser):
    """Every element's attributes, and the text of each element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open_ids: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        self.elements.append((tag, attributes))
        if "id" in attributes and tag in ("div", "p", "span", "li"):
            self._open_ids.append((tag, attributes["id"]))
            self.text_by_id.setdefault(attributes["id"], "")

    def handle_endtag(self, tag):
        if self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()

    def handle_data(self, data):
        for _tag, element_id in self._open_ids:
            self.text_by_id[element_id] = " ".join(f"{self.text_by_id[element_id]} {data}".split())

    def with_attr(self, name: str, value: str | None = None) -> list[dict[str, str]]:
        return [attrs for _tag, attrs in self.elements if name in attrs and (value is None or attrs[name] == value)]


def parsed(content: str) -> Elements:
    reader = Elements()
    reader.feed(content)
    return reader


@pytest.fixture
def step_url(citizen, client):
    procedure, _revision = published(INSTRUCTED_STEPS, service=ServiceFactory(), slug="titre-test", title="Titre")
    quest = quest_start(citizen=citizen, procedure=procedure)
    client.force_login(citizen)
    return reverse("citizen:quest-step", kwargs={"quest_id": quest.pk, "step_slug": "identite"})


def summary_links(content: str) -> list[tuple[str, str]]:
    """The links of the error summary, which comes before the form."""
    summary_at = content.index('class="fr-alert fr-alert--error')
    assert summary_at < content.index('id="step-fields"')
    summary = content[summary_at : content.index("</div>", summary_at)]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


@pytest.mark.django_db
def test_a_submitted_step_with_a_wrong_date_shows_the_error_on_the_field_and_a_summary_linking_to_it(client, step_url):
    data = {"nom": "Martin", "naissance": "pas une date", "premiere_demande": "oui", "action": "continue"}
    response = client.post(step_url, data)
    content = response.content.decode()
    assert response.status_code == 400
    page = parsed(content)
    # Its group in error, its message in an fr-error-text the input's aria-describedby names.
    date_input = page.with_attr("name", "naissance")[0]
    assert date_input["aria-invalid"] == "true"
    assert date_input["aria-describedby"] == "id_naissance-desc-error"
    assert (
        page.text_by_id["id_naissance-desc-error"] == "« Date de naissance » doit être une date au format JJ/MM/AAAA."
    )
    assert re.search(r'class="fr-input-group fr-input-group--error">\s*<label for="id_naissance"', content)
    assert 'class="fr-error-text"' in content
    # The summary's link leads to the input itself (following it moves the focus there).
    assert summary_links(content) == [
        ("id_naissance", "« Date de naissance » doit être une date au format JJ/MM/AAAA."),
    ]
    assert date_input["id"] == "id_naissance"
    # The page's title says there are errors first.
    assert re.search(r"<title>\s*Erreur : Votre identité —", content)


@pytest.mark.django_db
def test_a_missing_choice_puts_its_fieldset_in_error_and_the_summary_links_to_its_first_option(client, step_url):
    response = client.post(step_url, {"nom": "Martin", "naissance": "1990-05-17", "action": "continue"})
    content = response.content.decode()
    assert response.status_code == 400
    page = parsed(content)
    radios = page.with_attr("name", "premiere_demande")
    assert [radio["aria-describedby"] for radio in radios] == ["id_premiere_demande-desc-error"] * 2
    assert page.text_by_id["id_premiere_demande-desc-error"] == "« Première demande » est obligatoire."
    assert 'class="fr-fieldset fr-fieldset--error"' in content
    assert summary_links(content) == [("id_premiere_demande_0", "« Première demande » est obligatoire.")]
    assert radios[0]["id"] == "id_premiere_demande_0"


@pytest.mark.django_db
def test_a_valid_step_page_has_no_error_title(client, step_url):
    content = client.get(step_url).content.decode()
    assert re.search(r"<title>\s*Votre identité —", content)
    assert "fr-input-group--error" not in content


@pytest.mark.django_db
def test_the_autosave_names_the_field_of_each_error_for_the_page_to_show_it_there(client, step_url):
    response = client.post(step_url, {"nom": "Martin", "naissance": "32/13/1990"}, **HTMX)
    content = response.content.decode()
    assert response["X-Autosave"] == "saved"
    errors = parsed(content).with_attr("data-field")
    assert errors == [
        {
            "data-field": "naissance",
            "data-message": "« Date de naissance » doit être une date au format JJ/MM/AAAA.",
        }
    ]
