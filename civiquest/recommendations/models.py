"""Life events declared by citizens, the rules that turn events into procedures to do, and feedback.

Derived events (age thresholds, titles' expiry, the tax calendar) are never stored: they are
computed from the data they come from at each request (``selectors.situation_of``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civiquest.catalogue.models import LifeEventCode, Procedure


class LifeEvent(models.Model):
    """A moment of a citizen's life they told us about, past or planned."""

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="life_events")
    code = models.CharField(_("événement de vie"), max_length=24, choices=LifeEventCode.choices)
    occurred_on = models.DateField(_("date"))
    created_at = models.DateTimeField(_("déclaré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("événement de vie")
        verbose_name_plural = _("événements de vie")
        ordering = ["-occurred_on", "-pk"]
        # The daily reminders look for events around today.
        indexes = [models.Index(fields=["occurred_on"], name="recommendations_event_day")]
        constraints = [
            # Declaring the same event twice (a retried form or API call) keeps one.
            models.UniqueConstraint(fields=["citizen", "code", "occurred_on"], name="recommendations_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} ({self.occurred_on})"


class Trigger(models.TextChoices):
    """What starts a rule: a declared life event, or an event derived from the citizen's data."""

    MOVING = LifeEventCode.MOVING.value, LifeEventCode.MOVING.label
    BIRTH = LifeEventCode.BIRTH.value, LifeEventCode.BIRTH.label
    UNION = LifeEventCode.UNION.value, LifeEventCode.UNION.label
    BEREAVEMENT = LifeEventCode.BEREAVEMENT.value, LifeEventCode.BEREAVEMENT.label
    COMING_OF_AGE = LifeEventCode.COMING_OF_AGE.value, LifeEventCode.COMING_OF_AGE.label
    TRAVEL = LifeEventCode.TRAVEL.value, LifeEventCode.TRAVEL.label
    LOST_PAPERS = LifeEventCode.LOST_PAPERS.value, LifeEventCode.LOST_PAPERS.label
    VEHICLE = LifeEventCode.VEHICLE.value, LifeEventCode.VEHICLE.label
    JOB = LifeEventCode.JOB.value, LifeEventCode.JOB.label
    RETIREMENT = LifeEventCode.RETIREMENT.value, LifeEventCode.RETIREMENT.label
    BUSINESS = LifeEventCode.BUSINESS.value, LifeEventCode.BUSINESS.label
    STUDIES = LifeEventCode.STUDIES.value, LifeEventCode.STUDIES.label
    AGE_16 = "age-16", _("16e anniversaire (date de naissance FranceConnect)")
    AGE_18 = "age-18", _("18e anniversaire (date de naissance FranceConnect)")
    PASSPORT_EXPIRY = "expiry-passport", _("Expiration du passeport")
    IDENTITY_CARD_EXPIRY = "expiry-identity_card", _("Expiration de la carte d’identité")
    DRIVING_LICENCE_EXPIRY = "expiry-driving_licence", _("Expiration du permis de conduire")
    RESIDENCE_PERMIT_EXPIRY = "expiry-residence_permit", _("Expiration du titre de séjour")
    TAX_CALENDAR = "tax-calendar", _("Ouverture de la déclaration de revenus")


class Rule(models.Model):
    """An event → a procedure to do, from when, by when, for whom, and the legal source that says so.

    Offsets are ``{"days": n}`` or ``{"months": n}`` from the event (negative: before it), with
    ``"month_end": true`` to go to the end of that month; ``deadline`` empty: no legal deadline,
    ``{"calendar": "online"}``: the tax calendar's online deadline. ``until``: the last day the
    rule is shown when it has no deadline (or after an expired title).
    """

    code = models.SlugField(_("identifiant"), max_length=80, unique=True)
    trigger = models.CharField(_("déclencheur"), max_length=32, choices=Trigger.choices)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="recommendation_rules")
    due_from = models.JSONField(_("à faire à partir de"), default=dict, blank=True)
    deadline = models.JSONField(_("date limite"), default=dict, blank=True)
    until = models.JSONField(_("proposée jusqu’à"), default=dict, blank=True)
    relevance = models.FloatField(_("pertinence"), default=1.0)
    # A death, a birth, the census at 16: proposed only to those this rule concerns, never as
    # "done by similar citizens" or "popular".
    only_by_rule = models.BooleanField(_("proposée seulement par cette règle"), default=False)
    eligibility = models.JSONField(_("conditions"), default=dict, blank=True)
    note = models.CharField(_("pourquoi"), max_length=300)
    source_label = models.CharField(_("source"), max_length=200)
    source_url = models.URLField(_("adresse de la source"), max_length=300)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("règle de recommandation")
        verbose_name_plural = _("règles de recommandation")
        ordering = ["trigger", "code"]
        indexes = [models.Index(fields=["active", "trigger"], name="recommendations_rule_active")]

    def __str__(self) -> str:
        return self.code


class RuleRevision(models.Model):
    """What a rule was after each change, who changed it and why (append-only)."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("numéro"))
    content = models.JSONField(_("contenu"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.CharField(_("motif"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rule", "-number"]
        constraints = [models.UniqueConstraint(fields=["rule", "number"], name="recommendations_rule_revision")]

    def __str__(self) -> str:
        return f"{self.rule_id} #{self.number}"


class FeedbackKind(models.TextChoices):
    DISMISSED = "dismissed", _("Pas pour moi")
    SNOOZED = "snoozed", _("Plus tard")
    DONE_ELSEWHERE = "done_elsewhere", _("Déjà fait ailleurs")


class Feedback(models.Model):
    """What a citizen said about a procedure proposed to them (one answer per procedure, the last)."""

    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendation_feedback"
    )
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("réponse"), max_length=16, choices=FeedbackKind.choices)
    until = models.DateField(_("jusqu’au"), null=True, blank=True)
    given_on = models.DateField(_("le"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["citizen", "procedure"], name="recommendations_feedback_once")]

    def __str__(self) -> str:
        return f"{self.citizen_id} {self.procedure_id} {self.kind}"


class Preferences(models.Model):
    """A citizen's choice about recommendations: "similar citizens" (collaborative filtering) on or off."""

    citizen = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendation_preferences"
    )
    use_similar = models.BooleanField(_("suggestions d’après les démarches d’autres usagers"), default=True)

    def __str__(self) -> str:
        return f"{self.citizen_id} similar={self.use_similar}"


class ProcedurePair(models.Model):
    """Two procedures done by the same citizens: kept only when ≥ ``SIMILAR_MIN_CITIZENS`` share them.

    Rebuilt from completed quests by ``similar.rebuild`` (nightly); holds no citizen.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    citizens = models.PositiveIntegerField()
    score = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["procedure", "other"], name="recommendations_pair_once")]

    def __str__(self) -> str:
        return f"{self.procedure_id} ~ {self.other_id} ({self.citizens})"


class ProcedurePopularity(models.Model):
    """How many distinct citizens completed a procedure (rebuilt with the pairs)."""

    procedure = models.OneToOneField(Procedure, on_delete=models.CASCADE, related_name="+")
    citizens = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.procedure_id} ({self.citizens})"
