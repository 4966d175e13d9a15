"""Logging set-up: one line per event (JSON for machines, or text for people), quiet chatty libraries,
learner ids hashed, and a last guard that keeps the bot token out of logs.

Never log message text. Where an event concerns a learner, pass `extra={"learner": learner_ref(user_id)}`:
the reference is a keyed hash, so one learner's events can be followed without naming them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets as random_secrets
from datetime import UTC, datetime

_KEY = random_secrets.token_bytes(32)  # replaced by COURSEBOT_SECRET when set, so references stay stable
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def set_learner_key(secret: str | None) -> None:
    global _KEY
    _KEY = secret.encode() if secret else random_secrets.token_bytes(32)


def learner_ref(user_id: int) -> str:
    """A stable, keyed hash of a learner id, for following one learner through the logs."""
    return hmac.new(_KEY, str(user_id).encode(), hashlib.sha256).hexdigest()[:12]


class RedactSecrets(logging.Filter):
    """Replace any secret that slipped into a log record with `[redacted]`."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            redacted = message
            for secret in self.secrets:
                redacted = redacted.replace(secret, "[redacted]")
            if redacted != message:
                record.msg, record.args = redacted, None
        return True


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, event, any extra fields, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update({key: value for key, value in record.__dict__.items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str = "INFO", secrets: list[str] | None = None, json_lines: bool = False) -> None:
    handler = logging.StreamHandler()
    formatter = JsonLines() if json_lines else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(formatter)
    handler.addFilter(RedactSecrets(secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
    # PTB logs whole updates, message text included, at DEBUG: never let it go below INFO.
    logging.getLogger("telegram").setLevel(max(logging.getLevelName(level), logging.INFO))
