"""What CiviQuest holds about a citizen, written once as data.

``CATEGORIES`` is what the privacy page (``/confidentialite/``) shows: each category of data,
why it is held, on what legal basis, for how long and who sees it. ``MODELS`` says, for every
model that points at a user or holds a citizen's data, what the erasure does with its rows;
``tests/privacy/test_erasure.py`` fails on a model that relates to a user and is missing here,
so a new table cannot be forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Fate(StrEnum):
    """What the erasure of a citizen's account does with a model's rows about them."""

    DELETED = "deleted"
    # Kept because the administration must keep it, with the citizen replaced by a pseudonym
    # and what identifies them removed.
    PSEUDONYMISED = "pseudonymised"
    # Kept as is: the rows hold nothing about the citizen once the rows above are gone.
    KEPT = "kept"
    # The relation is to agents or staff (an assignee, an author, an inviter): citizens have no rows.
    NOT_CITIZEN = "not_citizen"


@dataclass(frozen=True)
class Category:
    key: str
    label: str | Promise
    held: str | Promise
    purpose: str | Promise
    legal_basis: str | Promise
    retention: str | Promise
    who_sees: str | Promise
    fate: Fate


PUBLIC_MISSION = _("Mission d’intérêt public (article 6-1-e du RGPD)")
CONSENT = _("Votre consentement (article 6-1-a du RGPD), que vous pouvez retirer à tout moment")
LEGAL_OBLIGATION = _("Obligation légale (article 6-1-c du RGPD)")

CATEGORIES: tuple[Category, ...] = (
    Category(
        key="identity",
        label=_("Identité"),
        held=_(
            "Votre identité pivot transmise par FranceConnect (prénoms, noms, date, lieu et pays de naissance, "
            "sexe) et l’identifiant FranceConnect propre à CiviQuest."
        ),
        purpose=_("Vous identifier et pré-remplir vos démarches."),
        legal_basis=PUBLIC_MISSION,
        retention=_("Tant que votre compte existe ; supprimée à l’effacement du compte."),
        who_sees=_("Vous, et les agents des services qui instruisent vos dossiers."),
        fate=Fate.DELETED,
    ),
    Category(
        key="contact",
        label=_("Coordonnées et préférences"),
        held=_(
            "Votre adresse électronique, votre accord pour recevoir des courriels, "
            "vos préférences de jeu (mode sobre, rappels, avatar)."
        ),
        purpose=_("Vous tenir informé de vos démarches selon vos choix."),
        legal_basis=CONSENT,
        retention=_("Tant que votre compte existe ; supprimées à l’effacement du compte."),
        who_sees=_("Vous ; l’adresse électronique aussi les agents qui instruisent vos dossiers."),
        fate=Fate.DELETED,
    ),
    Category(
        key="address",
        label=_("Adresse et déménagements"),
        held=_("L’adresse de votre domicile et vos déclarations de déménagement avec leurs envois aux organismes."),
        purpose=_("Transmettre votre changement d’adresse aux organismes que vous choisissez."),
        legal_basis=PUBLIC_MISSION,
        retention=_("Tant que votre compte existe ; supprimées à l’effacement du compte."),
        who_sees=_("Vous, et les organismes auxquels vous avez demandé l’envoi."),
        fate=Fate.DELETED,
    ),
    Category(
        key="quests",
        label=_("Démarches déposées et décisions"),
        held=_(
            "Vos dossiers : réponses, étapes, historique des états, décisions et leur motivation, "
            "demandes de correction, attestations."
        ),
        purpose=_("Faire instruire vos demandes par le service compétent et garder trace de ses décisions."),
        legal_basis=LEGAL_OBLIGATION,
        retention=_(
            "Les brouillons jamais déposés sont supprimés à l’effacement du compte. Les dossiers déposés et "
            "leurs décisions sont conservés 5 ans après la décision : à l’effacement, vous y êtes remplacé "
            "par un pseudonyme et vos réponses, pièces et messages sont supprimés."
        ),
        who_sees=_("Vous, et les agents du service qui instruit le dossier."),
        fate=Fate.PSEUDONYMISED,
    ),
    Category(
        key="documents",
        label=_("Porte-documents et messages"),
        held=_("Vos pièces justificatives et leurs fichiers, vos échanges de messages avec les services."),
        purpose=_("Joindre vos pièces à vos démarches et échanger avec le service instructeur."),
        legal_basis=PUBLIC_MISSION,
        retention=_("Tant que votre compte existe ; supprimés, fichiers compris, à l’effacement du compte."),
        who_sees=_("Vous ; une pièce jointe à un dossier, aussi les agents qui l’instruisent."),
        fate=Fate.DELETED,
    ),
    Category(
        key="appointments",
        label=_("Rendez-vous en mairie"),
        held=_("Vos rendez-vous pour un passeport ou une carte d’identité et vos numéros de pré-demande ANTS."),
        purpose=_("Réserver votre rendez-vous et le déclarer à l’ANTS pour éviter les doublons."),
        legal_basis=PUBLIC_MISSION,
        retention=_(
            "Tant que votre compte existe ; à l’effacement, un rendez-vous à venir est annulé, puis supprimé."
        ),
        who_sees=_("Vous, les agents de la mairie, et l’ANTS pour le numéro de pré-demande."),
        fate=Fate.DELETED,
    ),
    Category(
        key="game",
        label=_("Progression, badges et habitudes"),
        held=_("Votre relevé d’XP, votre niveau, vos badges, vos habitudes civiques et vos pauses."),
        purpose=_("Vous encourager à mener vos démarches à leur terme."),
        legal_basis=CONSENT,
        retention=_("Tant que votre compte existe ; supprimés à l’effacement du compte."),
        who_sees=_("Vous ; le relevé d’XP aussi les administrateurs de la plateforme, pour le corriger."),
        fate=Fate.DELETED,
    ),
    Category(
        key="recommendations",
        label=_("Ce qui vous arrive et ce que vous avez à faire"),
        held=_(
            "Les événements de vie que vous déclarez (déménagement, naissance, voyage…) avec leur date, vos "
            "réponses aux démarches proposées (pas pour moi, plus tard, déjà fait) et votre choix sur les "
            "suggestions d’après les autres usagers. Pour vous proposer des démarches, nous utilisons aussi "
            "votre date de naissance FranceConnect, les dates d’expiration de vos titres (porte-documents et "
            "titres délivrés), vos démarches et le calendrier des impôts de votre département. Les suggestions "
            "d’après les autres usagers viennent de paires de démarches faites par au moins 20 personnes : "
            "elles ne désignent personne et vous pouvez les désactiver."
        ),
        purpose=_("Vous dire quelles démarches suivent ce qui vous arrive, avant leur date limite."),
        legal_basis=PUBLIC_MISSION,
        retention=_("Tant que votre compte existe ; supprimés à l’effacement du compte."),
        who_sees=_("Vous seul."),
        fate=Fate.DELETED,
    ),
    Category(
        key="notifications",
        label=_("Notifications"),
        held=_("Les notifications de votre espace et les résumés hebdomadaires envoyés."),
        purpose=_("Vous informer de l’avancement de vos démarches."),
        legal_basis=PUBLIC_MISSION,
        retention=_("Tant que votre compte existe ; supprimées à l’effacement du compte."),
        who_sees=_("Vous seul."),
        fate=Fate.DELETED,
    ),
    Category(
        key="assistant",
        label=_("Conversations avec l’assistant"),
        held=_(
            "Vos questions (sans les données personnelles repérées : courriel, téléphone, NIR, IBAN), "
            "les réponses et vos avis."
        ),
        purpose=_("Vous répondre et améliorer l’assistant."),
        legal_basis=PUBLIC_MISSION,
        retention=_("30 jours, puis supprimées ; supprimées aussitôt à l’effacement du compte."),
        who_sees=_("Vous ; les administrateurs voient des statistiques sans votre identité."),
        fate=Fate.DELETED,
    ),
    Category(
        key="social",
        label=_("Entraide, partage et aidants"),
        held=_(
            "Votre pseudonyme ; vos questions, réponses, votes et signalements d’entraide ; les liens de "
            "partage que vous avez créés et leur nombre de vues ; vos cercles ; les mandats que vous avez "
            "donnés ou reçus et leur journal."
        ),
        purpose=_(
            "Permettre l’entraide entre usagers et l’aide d’un aidant de confiance, et partager ce que vous "
            "choisissez."
        ),
        legal_basis=PUBLIC_MISSION,
        retention=_(
            "Tant que votre compte existe ; à l’effacement, vos messages d’entraide publiés restent sous "
            "« compte supprimé », le reste est supprimé."
        ),
        who_sees=_(
            "Les autres usagers voient votre pseudonyme et vos messages publiés, jamais votre nom ; un aidant "
            "ne voit que les domaines du mandat que vous lui donnez ; les modérateurs voient les messages signalés."
        ),
        fate=Fate.PSEUDONYMISED,
    ),
    Category(
        key="audit",
        label=_("Journal d’audit"),
        held=_("Les actions des agents et administrateurs sur votre compte et vos dossiers."),
        purpose=_("Garder la trace de qui a fait quoi, pour la sécurité et les contrôles."),
        legal_basis=LEGAL_OBLIGATION,
        retention=_(
            "5 ans ; à l’effacement, votre nom et votre adresse électronique y sont remplacés par un pseudonyme."
        ),
        who_sees=_("Les administrateurs de la plateforme."),
        fate=Fate.PSEUDONYMISED,
    ),
    Category(
        key="session",
        label=_("Session et exports"),
        held=_("Votre session de connexion et les exports de vos données que vous avez demandés."),
        purpose=_("Vous garder connecté et vous remettre vos données."),
        legal_basis=PUBLIC_MISSION,
        retention=_("Session : 2 semaines au plus ; export : 24 heures. Supprimés à l’effacement du compte."),
        who_sees=_("Vous seul."),
        fate=Fate.DELETED,
    ),
)
CATEGORIES_BY_KEY = {category.key: category for category in CATEGORIES}


@dataclass(frozen=True)
class ModelFate:
    fate: Fate
    category: str  # a key of CATEGORIES, or "" for NOT_CITIZEN


# Every model (app_label.ModelName) that points at a user or holds a citizen's data.
MODELS: dict[str, ModelFate] = {
    "accounts.User": ModelFate(Fate.DELETED, "identity"),
    "accounts.ExternalIdentity": ModelFate(Fate.DELETED, "identity"),
    "accounts.AuditEvent": ModelFate(Fate.PSEUDONYMISED, "audit"),
    "accounts.ServiceMembership": ModelFate(Fate.NOT_CITIZEN, ""),
    "accounts.AgentInvitation": ModelFate(Fate.NOT_CITIZEN, ""),
    # An agent's tokens for the services' API and their use log: citizens have none.
    "accounts.ServiceApiToken": ModelFate(Fate.NOT_CITIZEN, ""),
    "accounts.ServiceApiTokenUse": ModelFate(Fate.NOT_CITIZEN, ""),
    "otp_totp.TOTPDevice": ModelFate(Fate.NOT_CITIZEN, ""),
    "admin.LogEntry": ModelFate(Fate.NOT_CITIZEN, ""),
    "sessions.Session": ModelFate(Fate.DELETED, "session"),
    "privacy.DataExport": ModelFate(Fate.DELETED, "session"),
    # Drafts deleted; submitted quests kept under a pseudonym (see services.citizen_erase).
    "quests.Quest": ModelFate(Fate.PSEUDONYMISED, "quests"),
    "quests.Answer": ModelFate(Fate.DELETED, "quests"),
    "quests.StepProgress": ModelFate(Fate.KEPT, "quests"),
    "quests.QuestTransition": ModelFate(Fate.PSEUDONYMISED, "quests"),
    "instruction.QuestLabel": ModelFate(Fate.KEPT, "quests"),
    "instruction.ChangeRequest": ModelFate(Fate.DELETED, "quests"),
    "instruction.QuestNote": ModelFate(Fate.DELETED, "quests"),
    "instruction.Attestation": ModelFate(Fate.PSEUDONYMISED, "quests"),
    "instruction.QuestMessage": ModelFate(Fate.DELETED, "documents"),
    # Experts' opinions on a quest (agents' words about the citizen's file): deleted with it.
    "instruction.OpinionRequest": ModelFate(Fate.DELETED, "quests"),
    # An agent's export of quests: its file expires within INSTRUCTION_EXPORT_LIFETIME_HOURS.
    "instruction.ExportJob": ModelFate(Fate.NOT_CITIZEN, ""),
    # An agent follows a quest / the quest changed since the agent opened it: the agent's own
    # working data, deleted with the quest (CASCADE).
    "instruction.QuestFollow": ModelFate(Fate.NOT_CITIZEN, ""),
    "instruction.QuestMark": ModelFate(Fate.NOT_CITIZEN, ""),
    # An agent's choice of the daily digest e-mail.
    "instruction.AgentDigest": ModelFate(Fate.NOT_CITIZEN, ""),
    "documents.Document": ModelFate(Fate.DELETED, "documents"),
    "quests.QuestDocument": ModelFate(Fate.DELETED, "documents"),
    "moving.HomeAddress": ModelFate(Fate.DELETED, "address"),
    "moving.MoveDeclaration": ModelFate(Fate.DELETED, "address"),
    "moving.MoveDispatch": ModelFate(Fate.DELETED, "address"),
    "appointments.Appointment": ModelFate(Fate.DELETED, "appointments"),
    "appointments.AppointmentApplication": ModelFate(Fate.DELETED, "appointments"),
    "appointments.TimeSlot": ModelFate(Fate.NOT_CITIZEN, ""),
    "notifications.Notification": ModelFate(Fate.DELETED, "notifications"),
    "notifications.DigestDelivery": ModelFate(Fate.DELETED, "notifications"),
    "progress.XpEntry": ModelFate(Fate.DELETED, "game"),
    "progress.LevelState": ModelFate(Fate.DELETED, "game"),
    "progress.BadgeAward": ModelFate(Fate.DELETED, "game"),
    "habits.Habit": ModelFate(Fate.DELETED, "game"),
    "social.SocialProfile": ModelFate(Fate.DELETED, "social"),
    # Published posts stay for those they help, their author set to null ("compte supprimé").
    "entraide.Question": ModelFate(Fate.PSEUDONYMISED, "social"),
    "entraide.Answer": ModelFate(Fate.PSEUDONYMISED, "social"),
    "entraide.Vote": ModelFate(Fate.DELETED, "social"),
    "entraide.HelpReward": ModelFate(Fate.DELETED, "social"),
    "moderation.Report": ModelFate(Fate.DELETED, "social"),
    "moderation.ModerationDecision": ModelFate(Fate.PSEUDONYMISED, "social"),
    "moderation.PostingSuspension": ModelFate(Fate.DELETED, "social"),
    # Given: deleted with their journal; held: revoked, kept for the citizen, the helper set to null.
    "mandates.Mandate": ModelFate(Fate.DELETED, "social"),
    "mandates.MandateJournalEntry": ModelFate(Fate.DELETED, "social"),
    "mandates.HelperProfile": ModelFate(Fate.DELETED, "social"),
    "mandates.StructureMember": ModelFate(Fate.DELETED, "social"),
    "mandates.HelperStructure": ModelFate(Fate.NOT_CITIZEN, ""),
    # Share links and the citizen's circles go with the account; so do their memberships of others' circles.
    "sharing.ShareLink": ModelFate(Fate.DELETED, "social"),
    "sharing.Circle": ModelFate(Fate.DELETED, "social"),
    "sharing.CircleMembership": ModelFate(Fate.DELETED, "social"),
    "habits.CheckIn": ModelFate(Fate.DELETED, "game"),
    "habits.Pause": ModelFate(Fate.DELETED, "game"),
    "habits.GamePreferences": ModelFate(Fate.DELETED, "contact"),
    "recommendations.LifeEvent": ModelFate(Fate.DELETED, "recommendations"),
    "recommendations.Feedback": ModelFate(Fate.DELETED, "recommendations"),
    "recommendations.Preferences": ModelFate(Fate.DELETED, "recommendations"),
    "recommendations.RuleRevision": ModelFate(Fate.NOT_CITIZEN, ""),
    "assistant_conversations.Conversation": ModelFate(Fate.DELETED, "assistant"),
    "assistant_conversations.Message": ModelFate(Fate.DELETED, "assistant"),
    "assistant_conversations.Feedback": ModelFate(Fate.DELETED, "assistant"),
}
