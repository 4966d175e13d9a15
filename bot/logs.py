"""Logging set-up: one line per event (JSON for machines, or text for people), quiet chatty libraries,
learner ids hashed, and last guards that keep the bot token and personal data out of logs.

Never log message text. Where an event concerns a learner, pass `extra={"learner": learner_ref(user_id)}`:
the reference is a keyed hash, so one learner's events can be followed without naming them.

Whatever `COURSEBOT_LOG_LEVEL` says, the libraries that would write personal data stay above the level where
they do: aiosqlite logs every statement with its parameters at DEBUG (user ids, a certificate's name), PTB logs
whole updates at DEBUG, fpdf's warnings about missing glyphs spell out the characters of the name being printed,
and fontTools narrates every font it subsets. And since a library may still put an update into an error
(PTB does, for an update it cannot parse), `WithholdPersonalData` replaces what such records carry, and
exceptions are logged by type and place, their message only where it cannot hold what a learner typed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets as random_secrets
import sqlite3
import traceback
from datetime import UTC, datetime

_KEY = random_secrets.token_bytes(32)  # replaced by COURSEBOT_SECRET when set, so references stay stable
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}

# Loggers of our own code: they follow the rules above, so their records pass as they are.
OWN_LOGGERS = ("bot", "coursebot", "scheduler")
# The lowest level each library may log at, whatever the level asked for.
LIBRARY_FLOORS = {
    "httpx": logging.WARNING,  # logs every request URL, and Bot API URLs contain the token
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
    "tornado.access": logging.WARNING,
    "aiosqlite": logging.WARNING,  # every statement and its parameters, at DEBUG
    "telegram": logging.INFO,  # whole updates, message text included, at DEBUG
    "fpdf": logging.ERROR,  # "missing glyphs" warnings quote the characters of the name on a certificate
    "fontTools": logging.ERROR,  # dozens of lines per certificate about subsetting its font
}
# Exceptions whose message is the library's or ours, never a learner's words: kept in the log. Any other
# exception is logged by type and traceback only (a ValueError may quote the time zone someone typed).
SAFE_MESSAGES: tuple[type[BaseException], ...] = (sqlite3.Error, TimeoutError, ConnectionError)
SAFE_MODULES = ("bot.errors", "telegram")
SHORT_ARGUMENT = 80  # a library's argument longer than this may be a message body: withheld
WITHHELD = "[withheld]"


class _Withheld:
    """Stands in for an argument, however the template formats it (%s or %r)."""

    def __repr__(self) -> str:
        return WITHHELD

    __str__ = __repr__


_WITHHELD = _Withheld()


def set_learner_key(secret: str | None) -> None:
    global _KEY
    _KEY = secret.encode() if secret else random_secrets.token_bytes(32)


def learner_ref(user_id: int) -> str:
    """A stable, keyed hash of a learner id, for following one learner through the logs."""
    return hmac.new(_KEY, str(user_id).encode(), hashlib.sha256).hexdigest()[:12]


def describe_exception(err: BaseException) -> str:
    """The exception's type and where it was raised, with its message only when that cannot hold personal data."""
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(traceback.extract_tb(err.__traceback__))
    name = f"{type(err).__module__}.{type(err).__qualname__}"
    safe = isinstance(err, SAFE_MESSAGES) or type(err).__module__.startswith(SAFE_MODULES)
    lines.append(f"{name}: {err}" if safe else f"{name} (message withheld)")
    cause = err.__cause__ or (None if err.__suppress_context__ else err.__context__)
    if cause is not None:
        lines.insert(0, describe_exception(cause) + "\n\nwhich led to:\n")
    return "".join(lines)


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


class WithholdPersonalData(logging.Filter):
    """The last guard against personal data in a log line.

    A library's record keeps its sentence but not what it quotes from a learner: any argument that is an
    update, a mapping, a list or a long string is withheld. Every exception (ours or a library's) is written
    as `describe_exception` gives it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = describe_exception(record.exc_info[1])
        if record.args and not record.name.startswith(OWN_LOGGERS):
            values = record.args if isinstance(record.args, tuple) else (record.args,)
            try:
                record.msg = str(record.msg) % tuple(_withheld(value) for value in values)
            except (TypeError, ValueError):  # a template that does not take its arguments: keep the sentence
                record.msg = f"{record.msg} {WITHHELD}"
            record.args = None
        return True


def _withheld(value: object) -> object:
    if isinstance(value, (int, float, bool, type(None))):
        return value
    if isinstance(value, (dict, list, tuple, set, bytes)) or type(value).__module__.startswith("telegram"):
        return _WITHHELD
    text = str(value)
    return value if len(text) <= SHORT_ARGUMENT else _WITHHELD


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
        if record.exc_info or record.exc_text:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextLines(logging.Formatter):
    """One line per event for people: time, level, logger, event, then any extra fields as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{key}={value}" for key, value in record.__dict__.items() if key not in _STANDARD)
        line = super().formatMessage(record)
        return f"{line} ({extra})" if extra else line


def configure_logging(level: str = "INFO", secrets: list[str] | None = None, json_lines: bool = False) -> None:
    handler = logging.StreamHandler()
    formatter = JsonLines() if json_lines else TextLines()
    handler.setFormatter(formatter)
    handler.addFilter(WithholdPersonalData())
    handler.addFilter(RedactSecrets(secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    asked = logging.getLevelName(level)
    for name, floor in LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(asked, floor) if isinstance(asked, int) else floor)
