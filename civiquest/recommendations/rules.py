"""The recommendation rules: read from ``data/rules.yaml``, checked, loaded, edited with revisions.

A rule loaded from the file and then changed by staff keeps the staff's version: loading again
only creates the rules that are missing and updates those whose last revision came from the
file (``author`` empty). Every change, from the file or the admin portal, is a ``RuleRevision``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.cache import cache
from django.db import transaction

from civiquest.accounts.models import User
from civiquest.catalogue.models import Procedure, ProcedureStatus
from civiquest.core.errors import ProcedureError
from civiquest.core.transactions import atomic
from civiquest.recommendations.engine import RuleSpec
from civiquest.recommendations.models import Rule, RuleRevision, Trigger
from civiquest.recommendations.offsets import offset_problems

RULES_FILE = Path(__file__).resolve().parent / "data" / "rules.yaml"
ELIGIBILITY_KEYS = frozenset({"min_age", "max_age", "holds_title", "lacks_valid_title"})
TITLES = frozenset({"passport", "identity_card", "driving_licence", "residence_permit"})
CONTENT_FIELDS = (
    "trigger",
    "due_from",
    "deadline",
    "until",
    "relevance",
    "eligibility",
    "only_by_rule",
    "note",
    "source_label",
    "source_url",
    "active",
)
# At most this many rules of one trigger: the dashboard shows 5 and a due action must fit.
MAX_RULES_PER_TRIGGER = 4


class RulesInvalid(ProcedureError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    kept: int  # changed by staff since: left as they are


def read_file(path: Path = RULES_FILE) -> list[dict[str, Any]]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    result = []
    for entry in entries:
        source = entry.get("source") or {}
        result.append(
            {
                "code": entry["code"],
                "procedure": entry["procedure"],
                "trigger": entry["trigger"],
                "due_from": entry.get("due_from") or {},
                "deadline": entry.get("deadline") or {},
                "until": entry.get("until") or {},
                "relevance": float(entry.get("relevance", 1.0)),
                "eligibility": entry.get("eligibility") or {},
                "only_by_rule": bool(entry.get("only_by_rule", False)),
                "note": entry.get("note", ""),
                "source_label": source.get("label", ""),
                "source_url": source.get("url", ""),
                "active": bool(entry.get("active", True)),
            }
        )
    return result


def rule_problems(content: Mapping[str, Any]) -> list[str]:
    """What is wrong with one rule's content (empty: nothing)."""
    code = content.get("code", "?")
    problems = []
    if content.get("trigger") not in Trigger.values:
        problems.append(f"{code}: unknown trigger {content.get('trigger')!r}")
    for key in ("due_from", "until"):
        problems += [f"{code}: {key}: {problem}" for problem in offset_problems(content.get(key, {}))]
    deadline = content.get("deadline", {})
    problems += [f"{code}: deadline: {problem}" for problem in offset_problems(deadline, allow_calendar=True)]
    if isinstance(deadline, Mapping) and deadline.get("calendar") and content.get("trigger") != Trigger.TAX_CALENDAR:
        problems.append(f"{code}: a calendar deadline is only for the tax-calendar trigger")
    if not deadline and not content.get("until") and content.get("trigger") != Trigger.TAX_CALENDAR:
        problems.append(f"{code}: without a deadline, say until when it is proposed (until)")
    relevance = content.get("relevance", 1.0)
    if not isinstance(relevance, int | float) or not 0 <= relevance <= 1:
        problems.append(f"{code}: relevance must be between 0 and 1")
    eligibility = content.get("eligibility", {})
    if not isinstance(eligibility, Mapping):
        problems.append(f"{code}: eligibility must be a mapping")
    else:
        problems += [f"{code}: unknown condition {key!r}" for key in eligibility if key not in ELIGIBILITY_KEYS]
        for key in ("holds_title", "lacks_valid_title"):
            if key in eligibility and eligibility[key] not in TITLES:
                problems.append(f"{code}: {key} must be one of {sorted(TITLES)}")
    if not content.get("note") or not content.get("source_label"):
        problems.append(f"{code}: a note and a source are required")
    if not str(content.get("source_url", "")).startswith("https://"):
        problems.append(f"{code}: the source must be an https address")
    return problems


def _check(entries: list[dict[str, Any]], procedures: Mapping[str, Procedure]) -> None:
    problems: list[str] = []
    per_trigger: dict[str, int] = {}
    for entry in entries:
        problems += rule_problems(entry)
        if entry["procedure"] not in procedures:
            problems.append(f"{entry['code']}: no procedure {entry['procedure']!r} in the catalogue")
        per_trigger[entry["trigger"]] = per_trigger.get(entry["trigger"], 0) + 1
    problems += [
        f"{trigger}: {count} rules, at most {MAX_RULES_PER_TRIGGER}"
        for trigger, count in per_trigger.items()
        if count > MAX_RULES_PER_TRIGGER
    ]
    if problems:
        raise RulesInvalid(problems)


def rule_content(rule: Rule) -> dict[str, Any]:
    return {"procedure": rule.procedure.slug, **{name: getattr(rule, name) for name in CONTENT_FIELDS}}


def _revise(rule: Rule, *, author: User | None, comment: str) -> RuleRevision:
    last = rule.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return RuleRevision.objects.create(
        rule=rule, number=last + 1, content=rule_content(rule), author=author, comment=comment[:300]
    )


@atomic
def rules_load(entries: Iterable[dict[str, Any]] | None = None) -> LoadResult:
    """Create or update the file's rules (all or nothing); staff-changed rules are kept."""
    entries = list(read_file() if entries is None else entries)
    procedures = {p.slug: p for p in Procedure.objects.filter(slug__in={e["procedure"] for e in entries})}
    _check(entries, procedures)
    existing = {rule.code: rule for rule in Rule.objects.select_related("procedure")}
    last_authors = dict(
        RuleRevision.objects.filter(rule__code__in=existing)
        .order_by("rule_id", "number")
        .values_list("rule_id", "author_id")
    )
    created = updated = kept = 0
    for entry in entries:
        values = {name: entry[name] for name in CONTENT_FIELDS} | {"procedure": procedures[entry["procedure"]]}
        rule = existing.get(entry["code"])
        if rule is None:
            rule = Rule.objects.create(code=entry["code"], **values)
            _revise(rule, author=None, comment="rules.yaml")
            created += 1
            continue
        if last_authors.get(rule.pk) is not None:
            kept += 1
            continue
        if rule_content(rule) != {"procedure": entry["procedure"], **{name: entry[name] for name in CONTENT_FIELDS}}:
            for name, value in values.items():
                setattr(rule, name, value)
            rule.save()
            _revise(rule, author=None, comment="rules.yaml")
            updated += 1
    _rules_changed()
    return LoadResult(created=created, updated=updated, kept=kept)


@atomic
def rule_update(*, rule: Rule, author: User, changes: Mapping[str, Any], comment: str) -> Rule:
    """Staff change a rule: checked like the file's, then a revision naming them and why."""
    content = {"code": rule.code, **{name: getattr(rule, name) for name in CONTENT_FIELDS}, **changes}
    problems = rule_problems(content)
    if problems:
        raise RulesInvalid(problems)
    for name in CONTENT_FIELDS:
        setattr(rule, name, content[name])
    if "procedure" in changes:
        rule.procedure = changes["procedure"]
    rule.save()
    _revise(rule, author=author, comment=comment)
    _rules_changed()
    return rule


RULES_CACHE_KEY = "recommendations:rules:v1"
RULES_CACHE_SECONDS = 60 * 60


def _rules_changed() -> None:
    """Forget the cached rules once the change is committed (every process reads the shared cache)."""
    transaction.on_commit(lambda: cache.delete(RULES_CACHE_KEY))
    transaction.on_commit(new_recommendations_version)


VERSION_KEY = "recommendations:version"


def recommendations_version() -> str:
    """A token renewed whenever the rules or the shared data change: what a cached ranking is keyed on."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return str(version or uuid.uuid4().hex)


def new_recommendations_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def active_rules() -> list[RuleSpec]:
    """Every active rule of a published procedure, with its slug and title (shared cache, else one query)."""
    found = cache.get(RULES_CACHE_KEY)
    if found is None:
        found = _active_rules_read()
        cache.set(RULES_CACHE_KEY, found, RULES_CACHE_SECONDS)
    return list(found)


def _active_rules_read() -> list[RuleSpec]:
    return [
        RuleSpec(
            code=rule.code,
            trigger=rule.trigger,
            procedure_id=rule.procedure_id,
            procedure_slug=rule.procedure.slug,
            procedure_title=rule.procedure.title,
            due_from=rule.due_from,
            deadline=rule.deadline,
            until=rule.until,
            relevance=rule.relevance,
            eligibility=rule.eligibility,
            only_by_rule=rule.only_by_rule,
            note=rule.note,
            source_label=rule.source_label,
            source_url=rule.source_url,
        )
        for rule in Rule.objects.filter(active=True, procedure__status=ProcedureStatus.PUBLISHED).select_related(
            "procedure"
        )
    ]
