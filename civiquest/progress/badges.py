"""Badges: each tied to a real milestone, awarded once, by rules evaluated on events.

A badge is defined here, in code (name, description, how to earn it, icon, rule); what a
citizen earned is a ``BadgeAward`` row, unique per (citizen, code). ``badges_evaluate``
gathers a few facts about the citizen in a bounded number of queries and awards every
badge whose rule now holds; it is called by the reward hooks (a step done, a quest
decided, a document added, a habit check-in) and by ``manage.py badges_backfill``.

Badges never touch rights: they say what was done, never what is owed.
Procedure badges (``ProcedureRevision.badge_codes``) are earned by finishing a quest of
a revision that lists them; codes there that no badge defines are ignored.

A badge is offered only when it can be earned (``Badge.available``, read from a ``Reach``):
a procedure badge needs a published procedure whose revision lists it, "Dans les temps" a
published procedure on the tax calendar, "Coup de main" entraide rewards switched on
(``ENTRAIDE_REWARDS_PER_HELPER_WEEK``). The progress page hides the others unless earned;
the evaluation never awards a badge whose feature a setting switched off.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.models import User
from civiquest.catalogue.models import ProcedureRevision, ProcedureStatus, RevisionStatus
from civiquest.core.citizen_cache import citizen_data_changed
from civiquest.core.dates import PARIS, paris_today
from civiquest.documents.models import Document, DocumentType
from civiquest.integrations.taxes import calendar as tax_calendar
from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import News, notify_many
from civiquest.progress.habits.selectors import best_streak_weeks, game_news_by_email_for, game_visible_for
from civiquest.progress.models import BadgeAward, XpEntry
from civiquest.progress.pictograms import pictogram_of
from civiquest.progress.xp import level_reached
from civiquest.quests.models import Quest, QuestState, QuestTransition

logger = logging.getLogger(__name__)

DONE_STATES = (QuestState.ACCEPTED, QuestState.COMPLETED)
IDENTITY_TYPES = (DocumentType.IDENTITY_CARD, DocumentType.PASSPORT)
LEVEL_BADGES = ("niveau-5", "niveau-10")
WALLET_BADGES = ("premier-document", "porte-documents", "papiers-en-regle")
ENTRAIDE_BADGE = "entraide"
# The ledger's reason for an entraide answer that helped (``rewards.entraide_reward``).
REASON_ENTRAIDE = "entraide.answer"


@dataclass(frozen=True)
class DoneQuest:
    tax_calendar: bool
    badge_codes: tuple[str, ...]
    state: str
    filed_on: dt.date | None
    had_changes: bool


@dataclass
class Facts:
    """What the rules read about a citizen, gathered once per evaluation."""

    done: list[DoneQuest] = field(default_factory=list)
    document_count: int = 0
    valid_identity: bool = False
    level: int = 1
    streak_weeks: int = 0
    helpful_answers: int = 0

    def done_tax_returns(self) -> list[DoneQuest]:
        return [quest for quest in self.done if quest.tax_calendar]

    def done_with_code(self, code: str) -> bool:
        return any(code in quest.badge_codes for quest in self.done)


@dataclass(frozen=True)
class Reach:
    """What the platform offers now, for ``Badge.available``.

    ``published_codes`` and ``tax_calendar`` are None when not read (the evaluation: a rule
    that holds proves the data was there); the settings are always read.
    """

    published_codes: frozenset[str] | None = None
    tax_calendar: bool | None = None

    @property
    def entraide_rewards(self) -> bool:
        return int(getattr(settings, "ENTRAIDE_REWARDS_PER_HELPER_WEEK", 0)) > 0


def reach_now() -> Reach:
    """The procedures published now, for the badge collection (one query)."""
    rows = ProcedureRevision.objects.filter(
        status=RevisionStatus.PUBLISHED, procedure__status=ProcedureStatus.PUBLISHED
    ).values_list("badge_codes", "tax_calendar")
    codes: set[str] = set()
    tax = False
    for badge_codes, follows_tax_calendar in rows:
        codes.update(code for code in badge_codes or () if isinstance(code, str))
        tax = tax or bool(follows_tax_calendar)
    return Reach(published_codes=frozenset(codes), tax_calendar=tax)


def _always(reach: Reach) -> bool:
    return True


def _published_code(code: str) -> Callable[[Reach], bool]:
    return lambda reach: reach.published_codes is None or code in reach.published_codes


def _tax_calendar_published(reach: Reach) -> bool:
    return reach.tax_calendar is None or reach.tax_calendar


def _entraide_rewarded(reach: Reach) -> bool:
    return reach.entraide_rewards


@dataclass(frozen=True)
class Badge:
    code: str
    name: Promise
    description: Promise
    how: Promise
    rule: Callable[[Facts], bool]
    # Whether the feature the badge rewards is offered (a badge that cannot be earned is not shown).
    reach: Callable[[Reach], bool] = _always

    def available(self, reach: Reach) -> bool:
        return self.reach(reach)

    @property
    def icon(self) -> str:
        """A pictogram of the DSFR (``progress.pictograms``), decorative beside the badge's name."""
        return pictogram_of(self.code)

    @property
    def icon_url(self) -> str:
        return static(self.icon)


def tax_return_deadline(year: int) -> dt.date:
    """The last day to file the income tax return in the spring of ``year``.

    The tax calendar's last online deadline (zone 3) for that campaign: the badge rewards
    filing on time without knowing each citizen's zone, so it takes the latest. Years the
    calendar does not hold fall back to the setting ``PROGRESS_TAX_RETURN_DEADLINE`` ("MM-DD").
    """
    campaign = tax_calendar.campaigns().get(year)
    if campaign is not None:
        return campaign.last_deadline
    month, day = str(getattr(settings, "PROGRESS_TAX_RETURN_DEADLINE", "06-05")).split("-")
    return dt.date(year, int(month), int(day))


def _filed_on_time(facts: Facts) -> bool:
    return any(
        quest.filed_on is not None and quest.filed_on <= tax_return_deadline(quest.filed_on.year)
        for quest in facts.done_tax_returns()
    )


def _code_rule(code: str) -> Callable[[Facts], bool]:
    return lambda facts: facts.done_with_code(code)


def _helpful_answer(facts: Facts) -> bool:
    # Counted from the ledger (an entraide reward), only when this badge is evaluated: see facts_of.
    return facts.helpful_answers > 0


BADGES: tuple[Badge, ...] = (
    Badge(
        "premiere-demarche",
        _("Première démarche"),
        _("Vous avez mené une démarche jusqu’au bout."),
        _("Terminez une démarche, ou obtenez l’acceptation d’un dossier."),
        lambda f: len(f.done) >= 1,
    ),
    Badge(
        "cinq-demarches",
        _("Cinq démarches"),
        _("Cinq démarches menées à leur terme."),
        _("Terminez cinq démarches."),
        lambda f: len(f.done) >= 5,
    ),
    Badge(
        "dix-demarches",
        _("Dix démarches"),
        _("Dix démarches menées à leur terme."),
        _("Terminez dix démarches."),
        lambda f: len(f.done) >= 10,
    ),
    Badge(
        "sans-correction",
        _("Du premier coup"),
        _("Un dossier accepté sans qu’aucune correction ne soit demandée."),
        _("Faites accepter un dossier sans demande de correction du service instructeur."),
        lambda f: any(q.state == QuestState.ACCEPTED and not q.had_changes for q in f.done),
    ),
    Badge(
        "premier-document",
        _("Premier document"),
        _("Votre porte-documents a reçu son premier document."),
        _("Ajoutez un document à votre porte-documents."),
        lambda f: f.document_count >= 1,
    ),
    Badge(
        "porte-documents",
        _("Porte-documents garni"),
        _("Cinq documents rangés dans votre porte-documents."),
        _("Ajoutez cinq documents à votre porte-documents."),
        lambda f: f.document_count >= 5,
    ),
    Badge(
        "papiers-en-regle",
        _("Papiers en règle"),
        _("Une carte d’identité ou un passeport en cours de validité dans votre porte-documents."),
        _("Ajoutez à votre porte-documents une carte d’identité ou un passeport qui n’a pas expiré."),
        lambda f: f.valid_identity,
    ),
    Badge(
        "electeur",
        _("Électeur"),
        _("Vous êtes inscrit sur les listes électorales."),
        _("Menez à bien la démarche d’inscription sur les listes électorales."),
        _code_rule("electeur"),
        _published_code("electeur"),
    ),
    Badge(
        "dans-les-temps",
        _("Dans les temps"),
        _("Déclaration de revenus déposée avant la date limite."),
        _("Déposez votre déclaration de revenus avant la date limite, puis menez la démarche à son terme."),
        _filed_on_time,
        _tax_calendar_published,
    ),
    Badge(
        "contribuable",
        _("Contribuable"),
        _("Vous avez déclaré vos revenus."),
        _("Menez à bien la démarche de déclaration de revenus."),
        _code_rule("contribuable"),
        _published_code("contribuable"),
    ),
    Badge(
        "demenagement",
        _("Nouveau départ"),
        _("Votre déménagement a été déclaré aux organismes choisis."),
        _("Menez à bien la démarche de changement d’adresse (ou de carte grise après un déménagement)."),
        _code_rule("demenagement"),
        _published_code("demenagement"),
    ),
    Badge(
        "habitude-4-semaines",
        _("Bonne habitude"),
        _("Une habitude civique tenue quatre semaines de suite."),
        _("Tenez une habitude civique quatre semaines d’affilée (les pauses ne comptent pas contre vous)."),
        lambda f: f.streak_weeks >= 4,
    ),
    Badge(
        "entraide",
        _("Coup de main"),
        _("Une de vos réponses a aidé un autre usager."),
        _("Répondez à une question de l’entraide : le badge vient quand la réponse est jugée utile."),
        _helpful_answer,
        _entraide_rewarded,
    ),
    Badge(
        "niveau-5",
        _("Niveau 5"),
        _("Vous avez atteint le niveau 5."),
        _("Atteignez le niveau 5 en avançant dans vos démarches."),
        lambda f: f.level >= 5,
    ),
    Badge(
        "niveau-10",
        _("Niveau 10"),
        _("Vous avez atteint le niveau 10."),
        _("Atteignez le niveau 10 en avançant dans vos démarches."),
        lambda f: f.level >= 10,
    ),
    Badge(
        "citoyen",
        _("Citoyen"),
        _("Recensement citoyen ou inscription électorale mené à bien."),
        _("Menez à bien le recensement citoyen ou l’inscription sur les listes électorales."),
        _code_rule("citoyen"),
        _published_code("citoyen"),
    ),
    Badge(
        "passeport",
        _("Globe-trotteur"),
        _("Votre demande de passeport a abouti."),
        _("Menez à bien une demande de passeport."),
        _code_rule("passeport"),
        _published_code("passeport"),
    ),
    Badge(
        "carte-identite",
        _("Identité confirmée"),
        _("Votre demande de carte d’identité a abouti."),
        _("Menez à bien une demande de carte nationale d’identité."),
        _code_rule("carte-identite"),
        _published_code("carte-identite"),
    ),
    Badge(
        "conducteur",
        _("Au volant"),
        _("Votre démarche de permis de conduire a abouti."),
        _("Menez à bien une démarche de permis de conduire."),
        _code_rule("conducteur"),
        _published_code("conducteur"),
    ),
    Badge(
        "voyageur",
        _("Voyageur prévoyant"),
        _("Votre carte européenne d’assurance maladie est demandée."),
        _("Menez à bien la demande de carte européenne d’assurance maladie."),
        _code_rule("voyageur"),
        _published_code("voyageur"),
    ),
    Badge(
        "jeune-parent",
        _("Bienvenue bébé"),
        _("La naissance de votre enfant est déclarée."),
        _("Menez à bien une déclaration de naissance."),
        _code_rule("jeune-parent"),
        _published_code("jeune-parent"),
    ),
    Badge(
        "etat-civil",
        _("État civil"),
        _("Vous avez obtenu un acte d’état civil."),
        _("Menez à bien une demande d’acte de naissance."),
        _code_rule("etat-civil"),
        _published_code("etat-civil"),
    ),
    Badge(
        "emploi",
        _("Dossier d’embauche"),
        _("Vous avez obtenu un extrait de casier judiciaire."),
        _("Menez à bien une demande d’extrait de casier judiciaire."),
        _code_rule("emploi"),
        _published_code("emploi"),
    ),
)

BADGES_BY_CODE: dict[str, Badge] = {badge.code: badge for badge in BADGES}


def badge(code: str) -> Badge | None:
    return BADGES_BY_CODE.get(code)


def badge_codes_of(citizen: User) -> set[str]:
    """The codes of the badges the citizen earned (one query)."""
    return set(BadgeAward.objects.filter(citizen=citizen).values_list("code", flat=True))


def _best_streak_weeks(citizen: User) -> int:
    return int(best_streak_weeks(citizen))


def helpful_answers_of(citizen: User) -> int:
    """How many of the citizen's entraide answers helped (ledger lines of the entraide reward, not reversed).

    A line capped to 0 XP by the daily cap still counts: the answer helped.
    """
    return XpEntry.objects.filter(citizen=citizen, reason=REASON_ENTRAIDE, reversed_by__isnull=True).count()


def facts_of(citizen: User, *, helpful: bool = False) -> Facts:
    """Gather what the rules read, in a bounded number of queries (quests, documents, level, streak).

    ``helpful``: also count the helpful entraide answers (one more query), only when the
    "Coup de main" badge is evaluated on its own, by the entraide reward that earns it.
    """

    changes = QuestTransition.objects.filter(quest=OuterRef("pk"), to_state=QuestState.CHANGES_REQUESTED)
    rows = (
        Quest.objects.filter(citizen=citizen, state__in=DONE_STATES)
        .annotate(had_changes=Exists(changes))
        .values_list(
            "revision__tax_calendar", "revision__badge_codes", "state", "submitted_at", "decided_at", "had_changes"
        )
    )
    done = []
    for follows_tax_calendar, codes, state, submitted_at, decided_at, had_changes in rows:
        filed = submitted_at or decided_at
        done.append(
            DoneQuest(
                tax_calendar=bool(follows_tax_calendar),
                badge_codes=tuple(codes or ()),
                state=state,
                filed_on=filed.astimezone(PARIS).date() if filed else None,
                had_changes=bool(had_changes),
            )
        )
    today = paris_today()
    documents = Document.objects.filter(owner=citizen).aggregate(
        count=Count("pk"),
        valid_identity=Count(
            "pk",
            filter=Q(type__in=IDENTITY_TYPES) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today)),
        ),
    )
    return Facts(
        done=done,
        document_count=documents["count"],
        valid_identity=documents["valid_identity"] > 0,
        level=level_reached(citizen),
        streak_weeks=_best_streak_weeks(citizen),
        helpful_answers=helpful_answers_of(citizen) if helpful else 0,
    )


def badges_evaluate(*, citizen: User, codes: Iterable[str] | None = None) -> list[Badge]:
    """Award every badge whose rule now holds and the citizen does not have; return those awarded now.

    ``codes`` limits the evaluation to some badges (all by default). Idempotent: a badge
    already held is skipped, and a concurrent award of the same badge loses on the
    unique constraint without error.
    """
    if not citizen.is_citizen:
        return []
    held = badge_codes_of(citizen)
    wanted = None if codes is None else set(codes)
    reach = Reach()  # settings only: a rule that holds proves the data it reads was there
    candidates = [
        b for b in BADGES if b.code not in held and (wanted is None or b.code in wanted) and b.available(reach)
    ]
    if not candidates:
        return []
    facts = facts_of(citizen, helpful=wanted is not None and ENTRAIDE_BADGE in wanted)
    awarded = [candidate for candidate in candidates if candidate.rule(facts)]
    if not awarded:
        return []
    # One statement for all: a badge a concurrent evaluation just gave is skipped (unique per
    # citizen and code), and its notification too (unique key).
    BadgeAward.objects.bulk_create(
        [BadgeAward(citizen=citizen, code=badge.code) for badge in awarded], ignore_conflicts=True
    )
    citizen_data_changed(citizen.pk)  # a bulk write sends no signal
    _badges_notify(citizen, awarded)
    return awarded


def game_visible(citizen: User) -> bool:
    """False for a citizen in "mode sobre" (habits' preference): no game notification for them."""
    return bool(game_visible_for(citizen))


def _badges_notify(citizen: User, earned: list[Badge]) -> None:
    if not game_visible(citizen):
        return
    with translation.override(settings.LANGUAGE_CODE):
        news = [
            News(
                key=f"badge:{citizen.pk}:{badge.code}",
                title=gettext("Nouveau badge : %(name)s") % {"name": badge.name},
                body=str(badge.description),
                url=reverse("citizen:progress") + f"#badge-{badge.code}",
            )
            for badge in earned
        ]
    notify_many(recipient=citizen, kind=NotificationKind.BADGE, news=news, email=game_news_by_email_for(citizen))
