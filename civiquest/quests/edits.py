"""Saves of one step page land in the order they were made.

An autosave still in flight when the citizen presses "Enregistrer et continuer" can reach the
server after that save (several threads or processes serve, a slow network): applied then, it
would put older answers over the later ones of a step already marked done. Each save says which
page it comes from and how many edits had been made on it; one holding fewer edits than a save
of the same page already applied is dropped (that later save holds its edits too).
"""

from __future__ import annotations

from dataclasses import dataclass

from civiquest.quests.models import Quest

PAGE_LENGTH = 32


@dataclass(frozen=True)
class EditMark:
    """The page shown (a random token per render) and the count of edits made on it."""

    page: str
    seq: int


def edit_mark_parse(page: str, seq: str) -> EditMark | None:
    """The mark posted with a save, or None when there is none or it is malformed (then applied as sent)."""
    if not page or len(page) > PAGE_LENGTH or not page.isalnum() or not seq.isdigit() or len(seq) > 9:
        return None
    return EditMark(page=page, seq=int(seq))


def edit_is_stale(locked: Quest, edit: EditMark) -> bool:
    """True when a later save of the same page was already applied (the quest row is locked)."""
    return edit.page == locked.last_edit_page and edit.seq < locked.last_edit_seq


def edit_record(locked: Quest, edit: EditMark) -> None:
    """Keep the mark of the save being applied; the caller saves the quest's position fields."""
    locked.last_edit_page = edit.page
    locked.last_edit_seq = edit.seq
