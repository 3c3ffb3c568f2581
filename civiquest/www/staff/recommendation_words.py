"""The recommendation rules in French words for staff: when an action is due, by when, for whom, what changed.

Offsets count from the rule's event (``civiquest.recommendations.offsets``): ``{"months": -6}``
reads "6 mois avant", ``{"months": 1}`` as a deadline "dans le mois qui suit", ``{"last":
"05-15"}`` "avant le 15 mai", ``{"calendar": "online"}`` "jusqu’à la date limite de la
déclaration en ligne". Staff never read the JSON nor the triggers' codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.dates import MONTHS
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from civiquest.recommendations.models import Rule, RuleRevision, Trigger

Offset = Mapping[str, Any]

# "a déjà un passeport", "n’a pas de passeport valide"
TITLE_HELD = {
    "passport": gettext_lazy("un passeport"),
    "identity_card": gettext_lazy("une carte d’identité"),
    "driving_licence": gettext_lazy("un permis de conduire"),
    "residence_permit": gettext_lazy("un titre de séjour"),
}
TITLE_LACKING = {
    "passport": gettext_lazy("de passeport"),
    "identity_card": gettext_lazy("de carte d’identité"),
    "driving_licence": gettext_lazy("de permis de conduire"),
    "residence_permit": gettext_lazy("de titre de séjour"),
}


def trigger_label(code: str) -> str:
    return str(Trigger(code).label) if code in Trigger.values else _("Déclencheur inconnu")


def _amounts(offset: Offset) -> tuple[int, int]:
    return int(offset.get("months", 0) or 0), int(offset.get("days", 0) or 0)


def _length(months: int, days: int) -> str:
    parts = []
    if months:
        parts.append(ngettext("%(count)d mois", "%(count)d mois", abs(months)) % {"count": abs(months)})
    if days:
        parts.append(ngettext("%(count)d jour", "%(count)d jours", abs(days)) % {"count": abs(days)})
    return _(" et ").join(parts)


def _moment(offset: Offset) -> str:
    """ "6 mois avant", "3 mois après", "le jour même": the offset from the event, month end and fixed day aside."""
    months, days = _amounts(offset)
    if not months and not days:
        return _("le jour même")
    if months and days and (months < 0) != (days < 0):
        # Rare: a month later less a few days.
        first = _length(months, 0) + " " + (_("avant") if months < 0 else _("après"))
        second = (_("moins %(length)s") if days < 0 else _("plus %(length)s")) % {"length": _length(0, days)}
        return f"{first}, {second}"
    if (months or days) < 0:
        return _("%(length)s avant") % {"length": _length(months, days)}
    return _("%(length)s après") % {"length": _length(months, days)}


def _fixed_day(text: str) -> str:
    """ "05-15" → "15 mai"."""
    try:
        month, day = (int(part) for part in str(text).split("-"))
        return f"{day} {MONTHS[month]}"
    except (KeyError, ValueError):
        return str(text)


def _nth_month(months: int) -> str:
    """The month ``months`` away, as "le mois qui suit", "le 3e mois qui précède"."""
    if months == 0:
        return _("du mois de l’événement")
    if months == 1:
        return _("du mois qui suit")
    if months == -1:
        return _("du mois qui précède")
    if months > 0:
        return _("du %(nth)de mois qui suit") % {"nth": months}
    return _("du %(nth)de mois qui précède") % {"nth": -months}


def _day_then_fixed(offset: Offset) -> tuple[str, str]:
    """(the fixed day, where it is counted from) for an offset with ``last``."""
    months, days = _amounts(offset)
    if not months and not days:
        return _fixed_day(offset["last"]), _("qui précède l’événement")
    return _fixed_day(offset["last"]), _("qui précède la date située %(moment)s") % {"moment": _moment(offset)}


def due_words(offset: Offset) -> str:
    """When the action becomes due: "à partir de 6 mois avant", "dès le jour de l’événement"."""
    months, days = _amounts(offset)
    if offset.get("last"):
        day, counted = _day_then_fixed(offset)
        return _("à partir du %(day)s %(counted)s") % {"day": day, "counted": counted}
    if offset.get("month_end"):
        return _("à partir de la fin du mois, %(moment)s") % {"moment": _moment(offset)}
    if not months and not days:
        return _("dès le jour de l’événement")
    if not months and days == -1:
        return _("à partir de la veille")
    if not months and days == 1:
        return _("à partir du lendemain")
    return _("à partir de %(moment)s") % {"moment": _moment(offset)}


def deadline_words(offset: Offset) -> str:
    """The deadline alone: "dans le mois qui suit", "avant le 15 mai", "" when there is none."""
    if not offset:
        return ""
    if offset.get("calendar"):
        return _("jusqu’à la date limite de la déclaration en ligne")
    months, days = _amounts(offset)
    if offset.get("last"):
        day, counted = _day_then_fixed(offset)
        if not months and not days:
            return _("avant le %(day)s") % {"day": day}
        return _("avant le %(day)s %(counted)s") % {"day": day, "counted": counted}
    if offset.get("month_end"):
        if days:
            return _("avant la fin du mois de la date située %(moment)s") % {"moment": _moment(offset)}
        return _("avant la fin %(month)s") % {"month": _nth_month(months)}
    if not months and not days:
        return _("au plus tard le jour même")
    if not months and days == -1:
        return _("au plus tard la veille")
    if not months and days == 1:
        return _("au plus tard le lendemain")
    if months > 0 and not days:
        if months == 1:
            return _("dans le mois qui suit")
        return _("dans les %(count)d mois qui suivent") % {"count": months}
    if days > 0 and not months:
        return _("dans les %(count)d jours qui suivent") % {"count": days}
    return _("au plus tard %(moment)s") % {"moment": _moment(offset)}


def until_words(offset: Offset) -> str:
    """The last day it is proposed: "proposée jusqu’à 12 mois après", "" when not said."""
    if not offset:
        return ""
    months, days = _amounts(offset)
    if offset.get("last"):
        day, counted = _day_then_fixed(offset)
        return _("proposée jusqu’au %(day)s %(counted)s") % {"day": day, "counted": counted}
    if offset.get("month_end"):
        return _("proposée jusqu’à la fin du mois, %(moment)s") % {"moment": _moment(offset)}
    if not months and not days:
        return _("proposée jusqu’au jour même")
    if not months and days == -1:
        return _("proposée jusqu’à la veille")
    return _("proposée jusqu’à %(moment)s") % {"moment": _moment(offset)}


def deadline_sentence(deadline: Offset, until: Offset) -> str:
    """The deadline and how long the action stays proposed, in one sentence."""
    proposed = until_words(until)
    if deadline:
        words = deadline_words(deadline)
        return f"{words}, {proposed}" if proposed else words
    if proposed:
        return _("sans date limite, %(proposed)s") % {"proposed": proposed}
    return _("sans date limite")


def conditions_words(eligibility: Mapping[str, Any]) -> list[str]:
    """ "18 ans ou plus", "a déjà un passeport"… (empty: everyone)."""
    found = []
    low, high = eligibility.get("min_age"), eligibility.get("max_age")
    if low is not None and high is not None:
        found.append(_("de %(low)d à %(high)d ans") % {"low": int(low), "high": int(high)})
    elif low is not None:
        found.append(_("%(age)d ans ou plus") % {"age": int(low)})
    elif high is not None:
        found.append(_("%(age)d ans ou moins") % {"age": int(high)})
    held = eligibility.get("holds_title")
    if held:
        found.append(_("a déjà %(title)s") % {"title": TITLE_HELD.get(held, held)})
    lacking = eligibility.get("lacks_valid_title")
    if lacking:
        found.append(
            _("n’a pas %(title)s valide à la date de l’événement") % {"title": TITLE_LACKING.get(lacking, lacking)}
        )
    return found


# --- Rules and revisions --------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    rule: Rule
    due: str
    deadline: str
    conditions: list[str]


@dataclass(frozen=True)
class TriggerGroup:
    trigger: str
    label: str
    rows: list[RuleRow]


def rule_row(rule: Rule) -> RuleRow:
    return RuleRow(
        rule=rule,
        due=due_words(rule.due_from),
        deadline=deadline_sentence(rule.deadline, rule.until),
        conditions=conditions_words(rule.eligibility),
    )


def rules_by_trigger(rules: Sequence[Rule]) -> list[TriggerGroup]:
    """The rules grouped by trigger, in the triggers' order (life events first)."""
    rows: dict[str, list[RuleRow]] = {}
    for rule in rules:
        rows.setdefault(rule.trigger, []).append(rule_row(rule))
    order = [*Trigger.values, *sorted(set(rows) - set(Trigger.values))]
    return [TriggerGroup(trigger=code, label=trigger_label(code), rows=rows[code]) for code in order if code in rows]


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class RevisionRow:
    revision: RuleRevision
    author: str
    changes: list[Change]


FIELD_LABELS = {
    "procedure": gettext_lazy("Démarche"),
    "trigger": gettext_lazy("Déclencheur"),
    "due_from": gettext_lazy("À faire à partir de"),
    "deadline": gettext_lazy("Date limite"),
    "until": gettext_lazy("Proposée jusqu’à"),
    "relevance": gettext_lazy("Pertinence"),
    "eligibility": gettext_lazy("Conditions"),
    "only_by_rule": gettext_lazy("Proposée seulement par cette règle"),
    "note": gettext_lazy("Pourquoi"),
    "source_label": gettext_lazy("Source (intitulé)"),
    "source_url": gettext_lazy("Adresse de la source"),
    "active": gettext_lazy("Règle active"),
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def value_words(name: str, value: Any, titles: Mapping[str, str]) -> str:
    """One value of a rule's content (a revision's JSON) in words."""
    if name == "trigger":
        return trigger_label(value)
    if name == "procedure":
        return titles.get(value, value)
    if name in ("due_from", "deadline", "until"):
        offset = value if isinstance(value, Mapping) else {}
        words = {"due_from": due_words, "deadline": deadline_words, "until": until_words}[name](offset)
        return words or (_("aucune") if name == "deadline" else _("non précisée"))
    if name == "eligibility":
        return "; ".join(conditions_words(value if isinstance(value, Mapping) else {})) or _("aucune")
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, int | float):
        return number_format(value)
    return str(value) if value not in (None, "") else "—"


def revision_changes(before: Mapping[str, Any], after: Mapping[str, Any], titles: Mapping[str, str]) -> list[Change]:
    names = [name for name in after if name != "code" and before.get(name) != after.get(name)]
    return [
        Change(
            label=field_label(name),
            before=value_words(name, before.get(name), titles),
            after=value_words(name, after.get(name), titles),
        )
        for name in names
    ]


def author_label(revision: RuleRevision) -> str:
    if revision.author is None:
        return _("chargé depuis rules.yaml")
    return revision.author.get_full_name() or revision.author.username


def revision_rows(revisions: Sequence[RuleRevision], titles: Mapping[str, str]) -> list[RevisionRow]:
    """Each revision (latest first) with what changed since the one before it (none for the first)."""
    by_number = {revision.number: revision for revision in revisions}
    rows = []
    for revision in revisions:
        previous = by_number.get(revision.number - 1)
        changes = revision_changes(previous.content, revision.content, titles) if previous is not None else []
        rows.append(RevisionRow(revision=revision, author=author_label(revision), changes=changes))
    return rows
