"""Read a page's text with the language each piece is in: the nearest ``lang`` attribute around it."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Not text of the page (the document's title names the page, with the procedure's title in it,
# and cannot mark a part of itself in another language).
SKIPPED = {"script", "style", "template", "title"}


@dataclass(frozen=True)
class Text:
    text: str
    lang: str
    tag: str  # the element that holds the text directly


class _LangText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[Text] = []
        self.skipping = 0

    def _lang(self) -> str:
        return next((lang for _tag, lang in reversed(self.stack) if lang is not None), "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        if tag in VOID:
            # An attribute read aloud (an image's alt text, a button-like input's value).
            values = dict(attrs)
            lang = values.get("lang") or self._lang()
            for name in ("alt", "value") if tag in ("img", "input") and values.get("type") != "hidden" else ():
                if values.get(name):
                    self.texts.append(Text(str(values[name]), lang, tag))
            return
        self.stack.append((tag, dict(attrs).get("lang")))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self.skipping:
            self.texts.append(Text(text, self._lang(), self.stack[-1][0] if self.stack else ""))


def texts_with_lang(html: str) -> list[Text]:
    parser = _LangText()
    parser.feed(html)
    parser.close()
    return parser.texts


def lang_of(html: str, text: str) -> list[str]:
    """The language of each piece of text equal to ``text`` (in the order of the page)."""
    return [piece.lang for piece in texts_with_lang(html) if piece.text == text]


def foreign_words(html: str, words: list[str], page_lang: str = "en", names: tuple[str, ...] = ()) -> list[str]:
    """Pieces of text in the page's language that contain one of ``words`` (proper ``names`` aside)."""
    found = []
    for piece in texts_with_lang(html):
        if piece.lang not in (page_lang, ""):
            continue
        text = piece.text
        for name in names:
            text = text.replace(name, "")
        found += [f"{word!r} in {piece.text!r} <{piece.tag}>" for word in words if word in text]
    return found
