"""The catalogue: procedures, their revisions, steps and fields.

Invariants held here, whatever the caller: a revision that is not a draft keeps its
content (``ProcedureRevision.save()`` refuses a change to anything but its status moving
forward, published → superseded), and steps and fields refuse to be saved or deleted once
their revision left the draft state. Bulk ``QuerySet.update()`` bypasses model methods: the
services never use it on these models.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.models import Service
from civiquest.catalogue.errors import RevisionFrozen
from civiquest.catalogue.field_sources import FieldSource
from civiquest.core.text import search_key
from civiquest.documents.models import DocumentType

# Field names are identifiers in conditions and answers; step inputs that are not fields
# (an outside service's reference, a checklist, documents) use "<step slug>.<input>", which
# no field name can collide with.
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# A date bound: an ISO date, or "today" with an optional offset in days ("today-30").
DATE_BOUND_RE = re.compile(r"^(?:\d{4}-\d{2}-\d{2}|today(?:[+-]\d{1,5})?)$")


# --- Procedures ---------------------------------------------------------------------------


class Theme(models.TextChoices):
    """Themes of the catalogue, after service-public.fr's."""

    PAPERS = "papiers", _("Papiers, citoyenneté, élections")
    FAMILY = "famille", _("Famille, scolarité")
    SOCIAL_HEALTH = "social_sante", _("Social, santé")
    WORK = "travail", _("Travail, formation")
    HOUSING = "logement", _("Logement")
    TRANSPORT = "transports", _("Transports, mobilité")
    MONEY = "argent", _("Argent, impôts, consommation")
    JUSTICE = "justice", _("Justice")
    ABROAD = "etranger", _("Étranger, Europe")
    LEISURE = "loisirs", _("Loisirs, sports, culture")


class LifeEventCode(models.TextChoices):
    """Moments of life that call for several procedures at once."""

    MOVING = "demenagement", _("Je déménage")
    BIRTH = "naissance", _("J’attends ou j’ai eu un enfant")
    UNION = "union", _("Je me marie ou je me pacse")
    BEREAVEMENT = "deces", _("Je perds un proche")
    COMING_OF_AGE = "majorite", _("J’ai 16 ou 18 ans")
    TRAVEL = "voyage", _("Je voyage à l’étranger")
    LOST_PAPERS = "perte_papiers", _("J’ai perdu mes papiers ou on me les a volés")
    VEHICLE = "vehicule", _("J’ai une voiture ou je passe le permis")
    JOB = "emploi", _("Je cherche un emploi")
    RETIREMENT = "retraite", _("Je prépare ma retraite")
    BUSINESS = "entreprise", _("Je crée mon entreprise")
    STUDIES = "etudes", _("Je fais des études")


class Audience(models.TextChoices):
    INDIVIDUALS = "particuliers", _("Particuliers")
    PROFESSIONALS = "professionnels", _("Professionnels")
    ASSOCIATIONS = "associations", _("Associations")


class ProcedureStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publiée")
    CLOSED = "closed", _("Fermée")


class Procedure(models.Model):
    """A kind of administrative procedure (“démarche”), as the catalogue shows it.

    What a citizen fills in lives in revisions; the procedure holds what describes it.
    Without an instructing service, the procedure is *guided*: CiviQuest prepares the
    citizen and sends them to the official téléservice, and nobody instructs it here.
    """

    slug = models.SlugField(_("identifiant stable"), max_length=80, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("résumé"))
    keywords = models.CharField(_("mots-clés"), max_length=500, blank=True)
    theme = models.CharField(_("thème"), max_length=24, choices=Theme.choices)
    audience = models.CharField(_("public"), max_length=24, choices=Audience.choices, default=Audience.INDIVIDUALS)
    # [{"label": "Passeport (service-public.fr)", "url": "https://www.service-public.fr/..."}]
    official_links = models.JSONField(_("liens officiels"), default=list, blank=True)
    instructing_service = models.ForeignKey(
        Service,
        verbose_name=_("service instructeur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procedures",
    )
    estimated_minutes = models.PositiveSmallIntegerField(_("durée estimée (minutes)"), default=10)
    cost_label = models.CharField(_("coût (texte)"), max_length=200, blank=True)
    cost_cents = models.PositiveIntegerField(_("coût (centimes d’euro)"), default=0)
    legal_delay_days = models.PositiveSmallIntegerField(_("délai légal d’instruction (jours)"), null=True, blank=True)
    # The text of the attestation an accepted quest produces, with {placeholders} (see
    # ``attestation.PLACEHOLDERS``); empty for the default text.
    attestation_template = models.TextField(_("modèle d’attestation"), blank=True, default="")
    status = models.CharField(
        _("statut"), max_length=16, choices=ProcedureStatus.choices, default=ProcedureStatus.DRAFT
    )
    # Title, summary and keywords without accents nor case, for search on any database.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "procedures_procedure"
        verbose_name = _("démarche")
        verbose_name_plural = _("démarches")
        ordering = ["title"]
        indexes = [
            models.Index(fields=["status", "theme"], name="procedures_proc_status_theme"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = search_key(f"{self.title} {self.summary} {self.keywords}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "summary", "keywords"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        # Deleting would cascade to published revisions, which never go: close it instead.
        if self.revisions.exclude(status=RevisionStatus.DRAFT).exists():
            raise RevisionFrozen(gettext("Une démarche déjà publiée ne se supprime pas : fermez-la."))
        return super().delete(*args, **kwargs)

    @property
    def is_guided(self) -> bool:
        """Done on an official site, with CiviQuest as the guide: no service instructs it here."""
        return self.instructing_service_id is None

    def clean(self) -> None:
        super().clean()
        problems = official_links_problems(self.official_links)
        if problems:
            raise ValidationError({"official_links": problems})


def official_links_problems(links: Any) -> list[str]:
    if not isinstance(links, list):
        return [gettext("Les liens officiels doivent être une liste.")]
    problems = []
    check_url = URLValidator(schemes=["https", "http"])
    for index, link in enumerate(links, start=1):
        if not isinstance(link, dict) or not str(link.get("label", "")).strip():
            problems.append(gettext("Le lien officiel n°%(index)s n’a pas d’intitulé.") % {"index": index})
            continue
        try:
            check_url(str(link.get("url", "")))
        except ValidationError:
            problems.append(gettext("Le lien officiel n°%(index)s n’a pas d’adresse valide.") % {"index": index})
    return problems


class ProcedureLifeEvent(models.Model):
    """A life event a procedure belongs to: one row per (procedure, event), indexed by event."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="life_events")
    code = models.CharField(_("événement de vie"), max_length=24, choices=LifeEventCode.choices)

    class Meta:
        db_table = "procedures_procedurelifeevent"
        verbose_name = _("événement de vie d’une démarche")
        verbose_name_plural = _("événements de vie des démarches")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "code"], name="procedures_life_event_unique"),
        ]
        indexes = [models.Index(fields=["code", "procedure"], name="procedures_life_event_code")]

    def __str__(self) -> str:
        return self.get_code_display()


# --- Revisions, steps, fields --------------------------------------------------------------


class RevisionStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publiée")
    SUPERSEDED = "superseded", _("Remplacée")


class AppointmentNeed(models.TextChoices):
    """The appointment a procedure books at a town hall (ANTS's reasons: fingerprints for a title)."""

    NONE = "", _("Aucun rendez-vous")
    PASSPORT = "PASSPORT", _("Rendez-vous en mairie pour un passeport")
    CNI = "CNI", _("Rendez-vous en mairie pour une carte d’identité")


# What a procedure needs from the services around it: data of its revision, set in the
# builder, never read from its slug (renaming a procedure must switch nothing off).
# The titles with a validity that a procedure can deliver (their expiry leads to it).
ISSUED_TITLES = [(kind.value, kind.label) for kind in (DocumentType.PASSPORT, DocumentType.IDENTITY_CARD)]
REVISION_NEEDS = ("appointment_need", "issued_title", "tax_calendar", "address_dispatch")
# What a non-draft revision may never change.
REVISION_CONTENT_FIELDS = ("procedure_id", "number", "xp_per_step", "completion_xp", "badge_codes", *REVISION_NEEDS)
ALLOWED_FROZEN_STATUS_MOVES = {
    (RevisionStatus.PUBLISHED, RevisionStatus.PUBLISHED),
    (RevisionStatus.PUBLISHED, RevisionStatus.SUPERSEDED),
    (RevisionStatus.SUPERSEDED, RevisionStatus.SUPERSEDED),
}


def frozen_revision_message() -> str:
    return gettext("Une révision publiée ne se modifie pas : modifiez une nouvelle révision en brouillon.")


class ProcedureRevision(models.Model):
    """One version of what a procedure asks. Quests are pinned to the revision they started on.

    At most one draft (being edited) and one published revision per procedure; the older
    published ones are superseded but stay, unchanged, for the quests pinned to them.
    Rewards are data: the progress app awards them.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("numéro"))
    status = models.CharField(_("statut"), max_length=16, choices=RevisionStatus.choices, default=RevisionStatus.DRAFT)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    xp_per_step = models.PositiveSmallIntegerField(_("XP par étape"), default=10)
    completion_xp = models.PositiveSmallIntegerField(_("XP à l’aboutissement"), default=50)
    badge_codes = models.JSONField(_("badges"), default=list, blank=True)
    appointment_need = models.CharField(
        _("rendez-vous"),
        max_length=16,
        choices=AppointmentNeed.choices,
        default=AppointmentNeed.NONE,
        blank=True,
        help_text=_("L’étape de rendez-vous réserve un créneau en mairie pour ce titre (ANTS)."),
    )
    issued_title = models.CharField(
        _("titre délivré"),
        max_length=32,
        choices=ISSUED_TITLES,
        default="",
        blank=True,
        help_text=_(
            "Le titre à durée de validité que cette démarche délivre ou renouvelle : son expiration y renvoie."
        ),
    )
    tax_calendar = models.BooleanField(
        _("calendrier de l’impôt sur le revenu"),
        default=False,
        help_text=_("La date limite de la déclaration de revenus (DGFiP) s’applique à cette démarche."),
    )
    address_dispatch = models.BooleanField(
        _("transmission de la nouvelle adresse"),
        default=False,
        help_text=_("La démarche transmet la nouvelle adresse du citoyen aux organismes qu’il choisit."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "procedures_procedurerevision"
        verbose_name = _("révision de démarche")
        verbose_name_plural = _("révisions de démarches")
        ordering = ["procedure", "number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedures_revision_unique_number"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(status="published"),
                name="procedures_revision_one_published",
            ),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(status="draft"),
                name="procedures_revision_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} r{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.frozen_changes():
            raise RevisionFrozen(frozen_revision_message())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if not self._stored_is_draft():
            raise RevisionFrozen(frozen_revision_message())
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == RevisionStatus.DRAFT

    def frozen_changes(self) -> list[str]:
        """What this unsaved instance changes that its stored, non-draft self forbids."""
        if self._state.adding or self.pk is None:
            return []
        stored = (
            type(self).objects.filter(pk=self.pk).values(*REVISION_CONTENT_FIELDS, "status", "published_at").first()
        )
        if stored is None or stored["status"] == RevisionStatus.DRAFT:
            return []
        changed = [name for name in REVISION_CONTENT_FIELDS if stored[name] != getattr(self, name)]
        if (stored["status"], self.status) not in ALLOWED_FROZEN_STATUS_MOVES:
            changed.append("status")
        if stored["published_at"] != self.published_at:
            changed.append("published_at")
        return changed

    def clean(self) -> None:
        super().clean()
        if self.frozen_changes():
            raise ValidationError(frozen_revision_message())
        if not isinstance(self.badge_codes, list) or not all(isinstance(code, str) for code in self.badge_codes):
            raise ValidationError({"badge_codes": gettext("Les badges doivent être une liste de codes.")})

    def _stored_is_draft(self) -> bool:
        status = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
        return status in (None, RevisionStatus.DRAFT)


def ensure_revision_is_draft(*revision_ids: int | None) -> None:
    """Refuse a change to a step or field whose revision (read fresh) is no longer a draft."""
    ids = {revision_id for revision_id in revision_ids if revision_id is not None}
    if not ids:
        return
    statuses = set(ProcedureRevision.objects.filter(pk__in=ids).values_list("status", flat=True))
    if statuses - {RevisionStatus.DRAFT}:
        raise RevisionFrozen(frozen_revision_message())


class StepKind(models.TextChoices):
    INFO = "info", _("Information à lire")
    FORM = "form", _("Formulaire")
    DOCUMENTS = "documents", _("Pièces justificatives")
    OUTSIDE_SERVICE = "outside_service", _("Démarche sur un site officiel")
    APPOINTMENT = "appointment", _("Rendez-vous")
    AGENT_REVIEW = "agent_review", _("Instruction par le service")
    CHECKLIST = "checklist", _("Liste de vérification")


class _DraftOnlyModel(models.Model):
    """A part of a revision: saved or deleted only while the revision is a draft."""

    class Meta:
        abstract = True

    _loaded_revision_id: int | None = None

    def save(self, *args: Any, **kwargs: Any) -> None:
        ensure_revision_is_draft(self.__dict__.get("revision_id"), self._loaded_revision_id)
        super().save(*args, **kwargs)
        self._loaded_revision_id = self.__dict__.get("revision_id")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        ensure_revision_is_draft(self._loaded_revision_id or self.__dict__.get("revision_id"))
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        instance._loaded_revision_id = instance.__dict__.get("revision_id")
        return instance


class Step(_DraftOnlyModel):
    """One step of a revision, shown in ``position`` order.

    Only form steps have fields. An outside-service step sends the citizen to
    ``external_url`` and asks for the reference they got there (``reference_label``,
    checked against ``reference_pattern``); a checklist step lists ``checklist_items`` to
    tick; a documents step asks for one document of each of ``document_types``. ``condition``
    shows the step only when an earlier answer matches (see ``validation.condition_met``).
    ``stage`` groups consecutive steps under one heading of the stepper.
    """

    revision = models.ForeignKey(ProcedureRevision, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    slug = models.SlugField(_("identifiant"), max_length=60)
    title = models.CharField(_("titre"), max_length=200)
    kind = models.CharField(_("type d’étape"), max_length=24, choices=StepKind.choices)
    body = models.TextField(_("texte"), blank=True)
    required = models.BooleanField(_("obligatoire"), default=True)
    external_url = models.URLField(_("adresse du site officiel"), max_length=500, blank=True)
    reference_label = models.CharField(_("intitulé de la référence obtenue"), max_length=200, blank=True)
    reference_pattern = models.CharField(
        _("format de la référence (expression régulière)"), max_length=300, blank=True
    )
    checklist_items = models.JSONField(_("éléments à cocher"), default=list, blank=True)
    document_types = models.JSONField(_("pièces demandées"), default=list, blank=True)
    condition = models.JSONField(_("condition d’affichage"), null=True, blank=True)
    xp = models.PositiveSmallIntegerField(
        _("XP de l’étape (remplace la valeur de la révision)"), null=True, blank=True
    )
    # The stage of the journey the step belongs to: consecutive steps with the same label are
    # one stage of the DSFR stepper (``catalogue.stages``); blank, the step is a stage of its own.
    stage = models.CharField(_("étape du parcours"), max_length=80, blank=True)

    class Meta:
        db_table = "procedures_step"
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "position"], name="procedures_step_unique_position"),
            models.UniqueConstraint(fields=["revision", "slug"], name="procedures_step_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.title


class FieldKind(models.TextChoices):
    TEXT = "text", _("Texte court")
    LONG_TEXT = "long_text", _("Texte long")
    NUMBER = "number", _("Nombre")
    DATE = "date", _("Date")
    EMAIL = "email", _("Adresse électronique")
    PHONE = "phone", _("Numéro de téléphone")
    YES_NO = "yes_no", _("Oui ou non")
    SINGLE_CHOICE = "single_choice", _("Choix unique")
    MULTIPLE_CHOICE = "multiple_choice", _("Choix multiple")
    ADDRESS = "address", _("Adresse")
    COMMUNE = "commune", _("Commune")
    IBAN = "iban", _("IBAN")
    SIRET = "siret", _("SIRET")
    DOCUMENT = "document", _("Document")


class Field(_DraftOnlyModel):
    """A question of a form step. ``name`` identifies the answer, unique in the revision.

    Bounds by kind: ``min_length``/``max_length`` for texts (characters) and multiple
    choices (number of choices); ``min_value``/``max_value`` and ``decimal_places`` for
    numbers; ``min_date``/``max_date`` for dates, an ISO date or ``today`` with an optional
    offset in days (``today-30``). ``choices`` is ``[{"value": ..., "label": ...}]``.
    """

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="fields")
    # Denormalized from the step, so that the name is unique per revision in the database.
    revision = models.ForeignKey(ProcedureRevision, on_delete=models.CASCADE, related_name="+", editable=False)
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(
        _("nom technique"),
        max_length=63,
        validators=[RegexValidator(FIELD_NAME_RE, _("Lettres minuscules, chiffres et « _ », une lettre d’abord."))],
    )
    label = models.CharField(_("libellé"), max_length=200)
    help_text = models.TextField(_("aide"), blank=True)
    kind = models.CharField(_("type de champ"), max_length=24, choices=FieldKind.choices)
    required = models.BooleanField(_("obligatoire"), default=True)
    min_length = models.PositiveIntegerField(_("longueur minimale"), null=True, blank=True)
    max_length = models.PositiveIntegerField(_("longueur maximale"), null=True, blank=True)
    min_value = models.DecimalField(_("valeur minimale"), max_digits=18, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("valeur maximale"), max_digits=18, decimal_places=4, null=True, blank=True)
    decimal_places = models.PositiveSmallIntegerField(_("décimales"), default=0)
    min_date = models.CharField(
        _("date minimale"), max_length=16, blank=True, validators=[RegexValidator(DATE_BOUND_RE)]
    )
    max_date = models.CharField(
        _("date maximale"), max_length=16, blank=True, validators=[RegexValidator(DATE_BOUND_RE)]
    )
    pattern = models.CharField(_("format (expression régulière)"), max_length=300, blank=True)
    choices = models.JSONField(_("choix"), default=list, blank=True)
    condition = models.JSONField(_("condition d’affichage"), null=True, blank=True)
    # "Dites-le-nous une fois": the identity or profile attribute this field takes (see field_sources).
    source = models.CharField(_("donnée déjà connue"), max_length=40, choices=FieldSource.choices, blank=True)
    source_condition = models.JSONField(_("condition de la donnée déjà connue"), null=True, blank=True)

    class Meta:
        db_table = "procedures_field"
        verbose_name = _("champ")
        verbose_name_plural = _("champs")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["step", "position"], name="procedures_field_unique_position"),
            models.UniqueConstraint(fields=["revision", "name"], name="procedures_field_unique_name"),
        ]

    def __str__(self) -> str:
        return self.label

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.revision_id = self.step.revision_id
        super().save(*args, **kwargs)
