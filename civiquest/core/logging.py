"""Log records: each carries the id of the request it serves, and none carries a secret."""

import logging
import re
from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


# What must never reach a log line: query values and path segments that are credentials, the
# tokens of OAuth/OpenID exchanges, and the NIR (numéro de sécurité sociale).
_SECRET_QUERY = re.compile(
    r"(?i)\b(code|state|nonce|token|access_token|id_token|refresh_token|client_secret|"
    r"id_token_hint|password|sessionid|ticket)=([^&\s\"']+)"
)
_MANAGEMENT_PATH = re.compile(r"(/rendez-vous/gestion/)[^/\s\"'?]+")
_JWT = re.compile(r"\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[\w.~+/=-]{8,}")
_NIR = re.compile(r"\b[12][ ]?\d{2}[ ]?(?:0[1-9]|1[0-2]|[2-9]\d)[ ]?(?:\d{2}|2[AB])[ ]?\d{3}[ ]?\d{3}(?:[ ]?\d{2})?\b")
REDACTED = "[redacted]"


def secrets_redact(text: str) -> str:
    text = _SECRET_QUERY.sub(lambda match: f"{match.group(1)}={REDACTED}", text)
    text = _MANAGEMENT_PATH.sub(lambda match: match.group(1) + REDACTED, text)
    text = _JWT.sub(REDACTED, text)
    text = _BEARER.sub(lambda match: match.group(1) + REDACTED, text)
    return _NIR.sub(REDACTED, text)


class SecretsFilter(logging.Filter):
    """Redacts secrets from every record the handlers write: the message and its string fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to the formatter
            return True
        record.msg, record.args = secrets_redact(message), ()
        for name, value in list(record.__dict__.items()):
            if isinstance(value, str) and name not in ("msg", "name", "levelname", "pathname", "filename", "module"):
                record.__dict__[name] = secrets_redact(value)
        return True
