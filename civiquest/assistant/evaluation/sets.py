"""The evaluation sets: where they are, their questions, and their loading with checks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

EVALUATION_DIR = Path(__file__).resolve().parent
GOLDEN_PATH = EVALUATION_DIR / "golden.yaml"
REAL_CITIZEN_PATH = EVALUATION_DIR / "real_citizen.yaml"
REAL_CITIZEN_HELDOUT_PATH = EVALUATION_DIR / "real_citizen_heldout.yaml"
OUT_OF_SCOPE_PATH = EVALUATION_DIR / "out_of_scope.yaml"
OUT_OF_SCOPE_OPEN_PATH = EVALUATION_DIR / "out_of_scope_open.yaml"
HOWTO_PATH = EVALUATION_DIR / "howto_not_refused.yaml"

MRR_DEPTH = 10
INTENTS = ("cost", "delay", "documents", "where", "who", "deadline", "eligibility", "howto", "situation")
CATEGORIES = (
    "papiers",
    "famille",
    "logement",
    "transports",
    "argent-impots",
    "travail",
    "etranger",
    "justice",
    "citoyennete",
    "sante-social",
)
DECLINED = frozenset({"out_of_scope", "legal_case"})
# A service-public.fr publication (fiche, "Comment faire si" guide), as opposed to a procedure slug.
FICHE_KEY_RE = re.compile(r"^[FN]\d+$")


class GoldenSetError(ValueError):
    """A golden set file that does not follow the format (the message names the file and the entry)."""


# --- Sets ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvalSet:
    name: str
    paths: tuple[Path, ...]
    # "golden" (ranked and cited sources), "decline" (must be declined), "howto" (must not be)
    kind: str
    # "demo" (catalogue + fixtures + samples) or "real" (catalogue + the whole real feed)
    corpus: str
    # Held out: figures only, its questions are never printed.
    private: bool = False


SETS = {
    "golden": EvalSet("golden", (GOLDEN_PATH,), "golden", "demo"),
    "real_citizen": EvalSet("real_citizen", (REAL_CITIZEN_PATH,), "golden", "real"),
    "real_citizen_heldout": EvalSet("real_citizen_heldout", (REAL_CITIZEN_HELDOUT_PATH,), "golden", "real", True),
    "out_of_scope": EvalSet("out_of_scope", (OUT_OF_SCOPE_PATH, OUT_OF_SCOPE_OPEN_PATH), "decline", "demo"),
    "howto": EvalSet("howto", (HOWTO_PATH,), "howto", "real"),
}


@dataclass(frozen=True)
class GoldenQuestion:
    question: str
    expect: tuple[str, ...]
    procedure: str = ""
    category: str = ""
    intent: str = ""
    answer_pattern: str = ""
    written: str = ""

    @property
    def expects_fiche(self) -> bool:
        return any(FICHE_KEY_RE.match(key) for key in self.expect)

    @property
    def expects_procedure(self) -> bool:
        return any(not FICHE_KEY_RE.match(key) for key in self.expect)


@dataclass(frozen=True)
class RefusalQuestion:
    question: str
    # "out_of_scope" or "legal_case" (to decline), "answered" (a how-to, must not be declined)
    expected: str
    expect: tuple[str, ...] = ()
    category: str = ""
    source: str = ""


def _entries(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise GoldenSetError(f"{path.name}: no `questions:` list")
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise GoldenSetError(f"{path.name}, entry {position}: not a mapping")
    return entries


def _keys(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(key, str) and key.strip() for key in value):
        raise GoldenSetError(f"{where}: `expect` must be a list of source keys")
    return tuple(key.strip() for key in value)


def load_golden(path: Path) -> list[GoldenQuestion]:
    """The questions of a golden set, checked: non-empty ``expect``, known intent and category, valid pattern."""
    questions: list[GoldenQuestion] = []
    seen: set[str] = set()
    for position, entry in enumerate(_entries(path), start=1):
        where = f"{path.name}, entry {position}"
        question = str(entry.get("q") or "").strip()
        if not question:
            raise GoldenSetError(f"{where}: no `q`")
        where = f"{where} ({question!r})"
        if question in seen:
            raise GoldenSetError(f"{where}: asked twice")
        seen.add(question)
        expect = _keys(entry.get("expect"), where)
        if not expect:
            raise GoldenSetError(f"{where}: `expect` is empty")
        intent = str(entry.get("intent") or "")
        if intent and intent not in INTENTS:
            raise GoldenSetError(f"{where}: unknown intent {intent!r} (one of {', '.join(INTENTS)})")
        category = str(entry.get("category") or "")
        if category and category not in CATEGORIES:
            raise GoldenSetError(f"{where}: unknown category {category!r} (one of {', '.join(CATEGORIES)})")
        pattern = str(entry.get("answer_pattern") or "")
        if pattern:
            try:
                re.compile(pattern)
            except re.error as error:
                raise GoldenSetError(f"{where}: answer_pattern does not compile: {error}") from error
        questions.append(
            GoldenQuestion(
                question=question,
                expect=expect,
                procedure=str(entry.get("procedure") or ""),
                category=category,
                intent=intent,
                answer_pattern=pattern,
                written=str(entry.get("written") or ""),
            )
        )
    return questions


def load_refusals(paths: Iterable[Path], *, kind: str) -> list[RefusalQuestion]:
    """The questions of a decline set (``question``/``q`` + ``expected``) or of the how-to set (``q``, ``expect``?)."""
    questions: list[RefusalQuestion] = []
    for path in paths:
        for position, entry in enumerate(_entries(path), start=1):
            question = str(entry.get("question") or entry.get("q") or "").strip()
            where = f"{path.name}, entry {position}"
            if not question:
                raise GoldenSetError(f"{where}: no question")
            if kind == "decline":
                expected = str(entry.get("expected") or "")
                if expected not in DECLINED:
                    raise GoldenSetError(f"{where} ({question!r}): expected must be one of {sorted(DECLINED)}")
            else:
                expected = "answered"
            questions.append(
                RefusalQuestion(
                    question=question,
                    expected=expected,
                    expect=_keys(entry.get("expect"), where),
                    category=str(entry.get("category") or ""),
                    source=path.name,
                )
            )
    return questions


# --- Observing the assistant --------------------------------------------------------------------
