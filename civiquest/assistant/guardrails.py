"""The assistant's guardrails: what goes in, what comes out, and what it declines.

- ``clean_question`` normalises a question and caps its length;
- ``redact`` (``civiquest.assistant.redaction``) masks personal data before a question is
  logged, searched or sent to a provider;
- ``classify`` tells a question the assistant may answer from the sources ("answered") from an
  out-of-scope or unsafe one ("out_of_scope") and from a request for advice on a personal legal
  dispute ("legal_case"), which goes to an agent, France Services or mutual aid; a plain how-to
  is answered even when it names a lawyer or a court (patterns: ``civiquest.assistant.refusals``);
- ``filter_output`` masks the links, phone numbers and e-mail addresses of a model's text that
  are not in the allow-list (settings and the URLs of the passages given), as Albert does;
- ``as_data`` neutralises the tags that delimit sources and question in a prompt, so text can
  never close its block and pose as an instruction.

Guardrails are deterministic (regular expressions over accent-folded text): no model decides
what is refused, and nothing a model says triggers an action.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from civiquest.assistant.links import public_url
from civiquest.assistant.redaction import EMAIL_RE, PHONE_RE, redact_identifiers
from civiquest.assistant.refusals import is_legal_case, is_out_of_scope, patterns
from civiquest.assistant.types import Outcome
from civiquest.core.text import fold

# --- Questions ----------------------------------------------------------------------------------

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
# Zero-width and bidirectional controls: removed (they can hide words from the guardrails).
_INVISIBLE_RE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_SPACES_RE = re.compile(r"[ \t]+")


def clean_question(question: str) -> str:
    """NFC-normalised, control and invisible characters removed, spaces collapsed, length capped."""
    text = unicodedata.normalize("NFC", question)
    text = _INVISIBLE_RE.sub("", _CONTROL_RE.sub(" ", text))
    text = "\n".join(_SPACES_RE.sub(" ", line).strip() for line in text.splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text[: settings.ASSISTANT_MAX_QUESTION_CHARS].strip()


# Attempts to change the assistant's rules: never obeyed. On their own they are not a reason to
# decline (the question may still be a real one); the question stays data, whatever it says.
INJECTION_RE = patterns(
    r"\b(?:ignore|oublie|oubliez|ignorez|ne tiens pas compte de)s? (?:toutes? )?(?:les|tes|vos|ces) "
    r"(?:instructions|regles|consignes)",
    r"\bignore (?:the|all|previous) (?:instructions|rules)\b",
    r"\btu es (?:maintenant|desormais)\b",
    r"\bnouvelles? (?:instructions|consignes)\b",
    r"\bsystem\s*:",
)


def classify(question: str) -> Outcome:
    """``answered`` when the question may be answered from the sources, else why it is declined."""
    folded = fold(clean_question(question))
    if not re.search(r"\w", folded):
        return "out_of_scope"
    if is_out_of_scope(folded):
        return "out_of_scope"
    if is_legal_case(folded):
        return "legal_case"
    return "answered"


def looks_like_injection(text: str) -> bool:
    """Whether the text tries to give the assistant instructions (for logs and tests; never obeyed)."""
    return bool(INJECTION_RE.search(fold(text)))


def as_data(text: str) -> str:
    """Text that cannot open or close the prompt's ``<source>``/``<question>`` blocks."""
    return text.replace("<", "\u2039").replace(">", "\u203a")


# --- Output filter ------------------------------------------------------------------------------

URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`)\]}]+", re.IGNORECASE)
# Bare domains ("exemple.com/page"), for the usual top-level domains.
BARE_DOMAIN_RE = re.compile(
    r"(?<![@\w./-])(?:[a-z0-9-]+\.)+(?:com|net|org|fr|eu|io|info|biz|ru|xyz|co|me|ly|app|dev|tk|top|site|online)"
    r"\b(?:/[^\s<>\"'`)\]}]*)?",
    re.IGNORECASE,
)


def _host(url: str) -> str:
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = "https://" + url
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _normalise_url(url: str) -> str:
    return url.strip().rstrip("/.,;:!?").lower().removeprefix("https://").removeprefix("http://")


def _domain_allowed(host: str) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in settings.ASSISTANT_ALLOWED_DOMAINS)


def _url_allowed(url: str, allowed_urls: frozenset[str]) -> bool:
    return _normalise_url(url) in allowed_urls or _domain_allowed(_host(url))


def _digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    if digits.startswith("0033"):
        digits = "0" + digits[4:]
    return digits


def filter_output(text: str, *, allowed_urls: Iterable[str] = ()) -> str:
    """Mask the links, e-mails and phone numbers that are not in the allow-list, and any identifier."""
    allowed = frozenset(_normalise_url(public_url(url)) for url in allowed_urls if url)
    allowed_phones = {_digits(phone) for phone in settings.ASSISTANT_ALLOWED_PHONES}
    allowed_emails = {email.lower() for email in settings.ASSISTANT_ALLOWED_EMAILS}

    def email(match: re.Match[str]) -> str:
        address = match.group(0)
        if address.lower() in allowed_emails or _domain_allowed(address.rsplit("@", 1)[1].lower()):
            return address
        return _("[courriel masqué]")

    def url(match: re.Match[str]) -> str:
        found = match.group(0)
        trailing = ""
        while found and found[-1] in ".,;:!?":
            found, trailing = found[:-1], found[-1] + trailing
        return (found if _url_allowed(found, allowed) else _("[lien masqué]")) + trailing

    def phone(match: re.Match[str]) -> str:
        return match.group(0) if _digits(match.group(0)) in allowed_phones else _("[téléphone masqué]")

    text = EMAIL_RE.sub(email, text)
    text = URL_RE.sub(url, text)
    text = BARE_DOMAIN_RE.sub(url, text)
    text = PHONE_RE.sub(phone, text)
    return redact_identifiers(text)


# --- Fixed messages -----------------------------------------------------------------------------


def catalogue_url() -> str:
    try:
        return reverse("citizen:catalogue")
    except NoReverseMatch:  # pragma: no cover - the citizen portal is always mounted
        return "/demarches/"


def decline_message() -> str:
    return _(
        "Je ne peux répondre qu'aux questions sur les démarches administratives et les droits des usagers, "
        "à partir des sources officielles. Vous pouvez parcourir le catalogue des démarches : %(url)s"
    ) % {"url": catalogue_url()}


def legal_case_message() -> str:
    return _(
        "Je ne peux pas donner de conseil juridique sur une situation personnelle (litige, recours, contestation). "
        "Pour être accompagné gratuitement, adressez-vous à un agent, à un espace France Services (%(url)s) "
        "ou à une association d'aide aux usagers près de chez vous."
    ) % {"url": settings.ASSISTANT_FRANCE_SERVICES_URL}


def human_help() -> str:
    """Who to ask: the agent of a procedure under way, a France Services office, Allô Service Public."""
    try:
        quests = reverse("citizen:quests")
    except NoReverseMatch:  # pragma: no cover - the citizen portal is always mounted
        quests = "/mes-demarches/"
    return _(
        "Pour être aidé par une personne : écrivez à l'agent qui suit votre démarche depuis « Mes démarches » "
        "(%(quests)s), rendez-vous dans un espace France Services près de chez vous (%(france_services)s) ou "
        "appelez le 3939, Allô Service Public."
    ) % {"quests": quests, "france_services": settings.ASSISTANT_FRANCE_SERVICES_URL}


def low_confidence_message(*, has_sources: bool = True) -> str:
    """Confidence is low: said so, the sources found offered for checking, and a human."""
    if has_sources:
        opening = _(
            "Confiance faible : je ne suis pas certain que les sources officielles trouvées répondent à votre "
            "question. Vérifiez-les : elles sont listées avec cette réponse."
        )
    else:
        opening = _("Je n'ai trouvé aucune source officielle qui réponde à votre question.")
    return f"{opening} {human_help()}"


def fallback_notice() -> str:
    return _("Le service de rédaction est indisponible : voici les extraits des sources officielles.")
