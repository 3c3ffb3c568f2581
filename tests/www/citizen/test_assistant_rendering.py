"""An answer's text as DSFR text, built from a parsed structure: never the provider's words as HTML."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string

from civiquest.assistant.types import Citation, Reply
from civiquest.www.citizen.assistant_rendering import (
    Block,
    Part,
    answer_blocks,
    reply_view,
    safe_href,
    sources_of,
)

FICHE = {
    "id": "F1234",
    "title": "Passeport d'un majeur",
    "url": "https://www.service-public.fr/particuliers/vosdroits/F1234",
    "kind": "fiche",
    "updated_on": "2025-03-12",
}
PROCEDURE = {"id": "passeport", "title": "Passeport", "url": "/demarches/passeport/", "kind": "procedure"}


def sources(*citations):
    return sources_of(citations, anchor="message-7")


def text_of(line: tuple[Part, ...]) -> str:
    return "".join(part.text for part in line)


def test_paragraphs_and_dash_lists():
    blocks = answer_blocks("D'après les sources :\n- « Premier. »\n- « Second. »\n\nFin.\nSuite.")
    assert [block.kind for block in blocks] == ["p", "ul", "p"]
    assert [text_of(line) for line in blocks[1].lines] == ["« Premier. »", "« Second. »"]
    # Lines of one paragraph stay apart (shown with a line break).
    assert [text_of(line) for line in blocks[2].lines] == ["Fin.", "Suite."]


def test_bullets_numbered_lists_and_stray_dashes():
    blocks = answer_blocks("• un\n* deux\n1. premier\n2) second\n-5 € de frais\n- ")
    assert [block.kind for block in blocks] == ["ul", "ol", "p"]
    assert [text_of(line) for line in blocks[0].lines] == ["un", "deux"]
    assert [text_of(line) for line in blocks[1].lines] == ["premier", "second"]
    # A dash glued to a number is not a list item; an empty item is plain text.
    assert [text_of(line) for line in blocks[2].lines] == ["-5 € de frais", "-"]


def test_a_cited_url_is_a_link_named_by_its_source():
    (block,) = answer_blocks(f"Voir la fiche officielle : {FICHE['url']}.", sources(FICHE))
    assert block.lines[0] == (
        Part("Voir la fiche officielle : "),
        Part("Passeport d'un majeur", href=FICHE["url"]),
        Part("."),
    )


def test_title_then_url_in_parentheses_is_one_link():
    (block,) = answer_blocks(f"  Source : Passeport d'un majeur ({FICHE['url']})", sources(FICHE))
    assert block.lines[0] == (Part("Source : "), Part("Passeport d'un majeur", href=FICHE["url"]))


def test_a_relative_url_is_a_link_only_when_it_is_a_cited_source():
    (block,) = answer_blocks("Passeport (/demarches/passeport/) et/ou /ailleurs/", sources(PROCEDURE))
    assert block.lines[0] == (
        Part("Passeport", href="/demarches/passeport/"),
        Part(" et/ou /ailleurs/"),
    )


def test_an_uncited_url_is_a_link_showing_the_url():
    (block,) = answer_blocks("Voir https://www.impots.gouv.fr/accueil, puis revenez.")
    assert block.lines[0][1] == Part("https://www.impots.gouv.fr/accueil", href="https://www.impots.gouv.fr/accueil")
    assert block.lines[0][2] == Part(", puis revenez.")


def test_markers_point_at_the_sources_shown_and_others_stay_text():
    (block,) = answer_blocks("Le délai est de 3 semaines [1], le tarif de 86 € [3].", sources(FICHE, PROCEDURE))
    assert Part("[1]", href="#message-7-source-1", marker=True) in block.lines[0]
    assert text_of(block.lines[0]).endswith("86 € [3].")
    assert not any(part.href for part in block.lines[0] if part.text.startswith("[3"))


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("https://www.service-public.fr/x", "https://www.service-public.fr/x"),
        ("/demarches/passeport/", "/demarches/passeport/"),
        ("javascript:alert(1)", ""),
        ("//evil.example/", ""),
        ("data:text/html,x", ""),
    ],
)
def test_only_web_addresses_and_our_paths_are_linked(url, href):
    assert safe_href(url) == href
    assert sources_of([{**FICHE, "url": url}], anchor="a")[0].url == href


def render_text(text: str, *citations) -> str:
    return render_to_string(
        "citizen/assistant/_answer_text.html", {"blocks": answer_blocks(text, sources(*citations))}
    ).strip()


def test_the_template_escapes_every_word_of_the_model_and_the_sources():
    html = render_text(
        '<script>alert(1)</script> "quoted" & <b>bold</b>\n- <img src=x onerror=alert(1)>\n'
        "https://x.example/?a=1&b=<i>",
        {**FICHE, "title": "<em>Titre</em>"},
    )
    assert "<script>" not in html and "<b>" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="https://x.example/?a=1&amp;b="' in html


def test_the_template_renders_lists_links_and_markers_without_stray_spaces():
    html = render_text(
        "D'après les sources officielles :\n- « Un. » [1]\n- « Deux. »\n"
        f"  Source : Passeport d'un majeur ({FICHE['url']})",
        FICHE,
    )
    assert "<ul>" in html and html.count("<li>") == 2
    assert f'Source : <a href="{FICHE["url"]}">Passeport d&#x27;un majeur</a>' in html
    assert '« Un. » <a href="#message-7-source-1" title="Voir la source [1]">[1]</a>' in html


def test_a_reply_that_is_not_stored_shows_its_cards_dates_and_procedures(db):
    from civiquest.actions.catalogue import catalogue_load
    from civiquest.catalogue.definitions import CATALOGUE

    catalogue_load([definition for definition in CATALOGUE if definition.slug in {"passeport", "carte-identite"}])
    reply = Reply(
        text=f"Voir {FICHE['url']}",
        citations=(
            Citation(
                id="F1234",
                title="Passeport d'un majeur",
                url=FICHE["url"],
                kind="fiche",
                updated_on=datetime.date(2025, 3, 12),
            ),
        ),
        confidence=0.7,
        provider="extractive",
        suggested_procedures=("carte-identite", "inconnue"),
        procedures=(Citation(id="passeport", title="Passeport", url="/demarches/passeport/", kind="procedure"),),
    )
    view = reply_view(reply, anchor="answer-1")
    assert [(procedure.slug, procedure.title) for procedure in view.procedures] == [
        ("passeport", "Demander ou renouveler un passeport"),
        ("carte-identite", "Demander ou renouveler une carte d’identité"),
    ]
    html = render_to_string("citizen/assistant/_answer.html", {"answer": view})
    assert "Mis à jour le 12 mars 2025" in html
    assert 'id="answer-1-source-1"' in html
    assert "Fiche service-public.fr" in html
    assert "Faire la démarche" in html
    assert 'href="/demarches/passeport/"' in html and 'href="/demarches/carte-identite/"' in html
    # A visitor's answer is not stored: no feedback form.
    assert "Cette réponse vous a-t-elle aidé" not in html


def test_blocks_are_plain_data():
    assert answer_blocks("") == []
    assert answer_blocks("\n\n  \n") == []
    assert answer_blocks("Un") == [Block(kind="p", lines=((Part("Un"),),))]
